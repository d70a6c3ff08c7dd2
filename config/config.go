// Package config resolves initwatch's settings from, in order of
// precedence, command-line flags, environment variables, the config file and
// built-in defaults.
//
// The file lives at $XDG_CONFIG_HOME/initwatch/config.yaml (or
// ~/.config/initwatch/config.yaml; $INITWATCH_CONFIG names another). It is
// decoded strictly: an unknown field, a wrong type or an out-of-range value
// is an error naming the file and line, because a typo that is silently
// ignored is worse than one that stops the program with a clear message.
// Nothing here panics on any input.
package config

import (
	"fmt"
	"slices"
)

// Built-in defaults.
const (
	DefaultTheme     = "auto"
	DefaultLogTail   = 200
	DefaultLogBuffer = 10000
	// MaxLogBuffer bounds the per-container ring buffer a file may ask for,
	// so a slip of the finger cannot make initwatch hold gigabytes of logs.
	MaxLogBuffer = 1000000
)

// Environment variables initwatch reads. Each overrides the file and is
// overridden by the matching flag.
const (
	EnvConfig    = "INITWATCH_CONFIG"    // path of the config file
	EnvTheme     = "INITWATCH_THEME"     // like --theme
	EnvNamespace = "INITWATCH_NAMESPACE" // "all" or a comma-separated list; like -n / -A
	EnvLogTail   = "INITWATCH_LOG_TAIL"  // like --tail
)

// EnvVars lists the environment variables above, for help and docs.
func EnvVars() []string { return []string{EnvConfig, EnvTheme, EnvNamespace, EnvLogTail} }

// Scope is which namespaces initwatch watches when -n / -A are not given.
type Scope struct {
	All        bool     `json:"all"`
	Namespaces []string `json:"namespaces,omitempty"`
}

// String is the scope as the file and env spell it.
func (s Scope) String() string {
	if s.All || len(s.Namespaces) == 0 {
		return "all"
	}
	return fmt.Sprint(s.Namespaces)
}

// Origin says where a setting's value came from.
type Origin struct {
	Kind string `json:"kind"`           // "default", "file", "env" or "flag"
	Name string `json:"name,omitempty"` // env variable or flag name
	Line int    `json:"line,omitempty"` // line in the file
}

func (o Origin) String() string {
	switch {
	case o.Kind == "file" && o.Line > 0:
		return fmt.Sprintf("file, line %d", o.Line)
	case o.Name != "":
		return o.Kind + " " + o.Name
	default:
		return o.Kind
	}
}

// Settings is what initwatch runs with.
type Settings struct {
	Theme string `json:"theme"`
	// Keys are binding overrides (binding name → keys) for
	// keymap.KeyMap.Override; only the file sets them.
	Keys      map[string][]string `json:"keys,omitempty"`
	LogTail   int                 `json:"logTail"`
	LogBuffer int                 `json:"logBuffer"`
	Scope     Scope               `json:"scope"`
	// Clusters are named sets of kubeconfig contexts (`clusters: {prod:
	// [eu-1, us-1]}`), chosen with --clusters NAME; only the file sets them.
	Clusters map[string][]string `json:"clusters,omitempty"`

	// Origins maps each setting ("theme", "scope", "logs.tail",
	// "logs.buffer", "keys.<binding>") to where its value came from.
	Origins map[string]Origin `json:"origins"`
	// File is the config file that was looked for.
	File Location `json:"file"`
}

// Defaults returns the built-in settings.
func Defaults() Settings {
	def := Origin{Kind: "default"}
	return Settings{
		Theme:     DefaultTheme,
		LogTail:   DefaultLogTail,
		LogBuffer: DefaultLogBuffer,
		Scope:     Scope{All: true},
		Origins:   map[string]Origin{"theme": def, "scope": def, "logs.tail": def, "logs.buffer": def},
	}
}

// Flags are the command-line values that override everything else; nil (or
// a nil Scope) means the flag was not given. Flag names are used in Origins.
type Flags struct {
	Theme     *string
	Scope     *Scope // set when -n or -A was given
	ScopeFlag string // the flag that set Scope, e.g. "--namespace"
	LogTail   *int
}

// Load locates and reads the config file, then applies the environment and
// flags over it. getenv is os.LookupEnv in production.
func Load(getenv func(string) (string, bool), flags Flags) (Settings, error) {
	loc, err := Locate(getenv)
	if err != nil {
		return Settings{}, err
	}
	s := Defaults()
	s.File = loc
	if err := readInto(&s, loc); err != nil {
		return Settings{}, err
	}
	if err := applyEnv(&s, getenv); err != nil {
		return Settings{}, err
	}
	if err := applyFlags(&s, flags); err != nil {
		return Settings{}, err
	}
	return s, nil
}

func applyFlags(s *Settings, f Flags) error {
	if f.Theme != nil {
		if err := checkTheme(*f.Theme); err != nil {
			return fmt.Errorf("--theme: %w", err)
		}
		s.Theme = *f.Theme
		s.Origins["theme"] = Origin{Kind: "flag", Name: "--theme"}
	}
	if f.Scope != nil {
		s.Scope = Scope{All: f.Scope.All, Namespaces: slices.Clone(f.Scope.Namespaces)}
		name := f.ScopeFlag
		if name == "" {
			name = "--namespace"
		}
		s.Origins["scope"] = Origin{Kind: "flag", Name: name}
	}
	if f.LogTail != nil {
		if *f.LogTail < 0 {
			return fmt.Errorf("--tail: %d is negative", *f.LogTail)
		}
		s.LogTail = *f.LogTail
		s.Origins["logs.tail"] = Origin{Kind: "flag", Name: "--tail"}
	}
	// A tail longer than the buffer could never be shown whole; the buffer
	// grows to fit rather than failing a deliberate flag.
	if s.LogTail > s.LogBuffer {
		if s.LogTail > MaxLogBuffer {
			return fmt.Errorf("log tail %d is larger than the largest log buffer (%d lines)", s.LogTail, MaxLogBuffer)
		}
		s.LogBuffer = s.LogTail
	}
	return nil
}
