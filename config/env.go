package config

import (
	"fmt"
	"strconv"
	"strings"
)

// applyEnv applies the INITWATCH_* variables over the file. An empty
// variable counts as unset, as most shells make unsetting awkward.
func applyEnv(s *Settings, getenv func(string) (string, bool)) error {
	if v, ok := getenv(EnvTheme); ok && v != "" {
		if err := checkTheme(v); err != nil {
			return fmt.Errorf("$%s: %w", EnvTheme, err)
		}
		s.Theme = v
		s.Origins["theme"] = Origin{Kind: "env", Name: EnvTheme}
	}
	if v, ok := getenv(EnvNamespace); ok && v != "" {
		var names []string
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		scope, err := parseScope(names)
		if err != nil {
			return fmt.Errorf("$%s: %w", EnvNamespace, err)
		}
		s.Scope = scope
		s.Origins["scope"] = Origin{Kind: "env", Name: EnvNamespace}
	}
	if v, ok := getenv(EnvLogTail); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return fmt.Errorf("$%s: %q is not a whole number of lines (0 or more)", EnvLogTail, v)
		}
		s.LogTail = n
		s.Origins["logs.tail"] = Origin{Kind: "env", Name: EnvLogTail}
	}
	return nil
}
