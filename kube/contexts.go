package kube

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ResolveContexts returns the kubeconfig contexts to watch, from --context,
// --all-contexts or --clusters (sets are the config file's named sets).
// Nil means none of them was given: the kubeconfig's current context, as
// kubectl. One context means exactly kubectl's --context NAME (set in
// Overrides; an unknown name fails as kubectl does, when the kubeconfig is
// read). Several are checked against the kubeconfig here, each problem in
// one line: an unknown context (with the known ones), a context named
// twice, an empty or unknown set, and overrides that only make sense for
// one context.
func (f *ConfigFlags) ResolveContexts(sets map[string][]string) ([]string, error) {
	chosen := 0
	for _, given := range []bool{len(f.Contexts) > 0, f.AllContexts, f.ClusterSet != ""} {
		if given {
			chosen++
		}
	}
	if chosen > 1 {
		return nil, fmt.Errorf("--context, --all-contexts and --clusters each choose the contexts: use one of them")
	}
	var names []string
	switch {
	case len(f.Contexts) > 0:
		var err error
		if names, err = checkNames("--context "+strings.Join(f.Contexts, ","), f.Contexts); err != nil {
			return nil, err
		}
		if len(names) == 1 {
			f.Overrides.CurrentContext = names[0]
			return names, nil
		}
	case f.ClusterSet != "":
		set, ok := sets[f.ClusterSet]
		if !ok {
			known := make([]string, 0, len(sets))
			for n := range sets {
				known = append(known, n)
			}
			sort.Strings(known)
			if len(known) == 0 {
				return nil, fmt.Errorf("--clusters %q: the config file defines no cluster sets (clusters: {NAME: [context, ...]})", f.ClusterSet)
			}
			return nil, fmt.Errorf("--clusters %q: no such set in the config file (it defines: %s)", f.ClusterSet, strings.Join(known, ", "))
		}
		if len(set) == 0 {
			return nil, fmt.Errorf("--clusters %q: the set is empty", f.ClusterSet)
		}
		var err error
		if names, err = checkNames(fmt.Sprintf("cluster set %q", f.ClusterSet), set); err != nil {
			return nil, err
		}
	case f.AllContexts:
		raw, err := f.ClientConfig().RawConfig()
		if err != nil {
			return nil, fmt.Errorf("load kubeconfig: %w", err)
		}
		for n := range raw.Contexts {
			names = append(names, n)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("--all-contexts: the kubeconfig has no contexts")
		}
		sort.Strings(names)
	default:
		return nil, nil
	}
	if len(names) == 1 {
		f.Overrides.CurrentContext = names[0]
		return names, nil
	}
	if err := f.checkMulti(names); err != nil {
		return nil, err
	}
	return names, nil
}

// checkNames trims the names and rejects an empty one or one given twice.
func checkNames(what string, raw []string) ([]string, error) {
	names := make([]string, 0, len(raw))
	for _, r := range raw {
		n := strings.TrimSpace(r)
		if n == "" {
			return nil, fmt.Errorf("%s: empty context name", what)
		}
		if slices.Contains(names, n) {
			return nil, fmt.Errorf("%s: context %q is named twice", what, n)
		}
		names = append(names, n)
	}
	return names, nil
}

// checkMulti checks several contexts against the kubeconfig and the
// override flags.
func (f *ConfigFlags) checkMulti(names []string) error {
	o := f.Overrides
	for _, single := range []struct {
		flag string
		set  bool
	}{{"--server", o.ClusterInfo.Server != ""}, {"--cluster", o.Context.Cluster != ""}, {"--user", o.Context.AuthInfo != ""}} {
		if single.set {
			return fmt.Errorf("%s applies to one context; it cannot be used with several (%s)", single.flag, strings.Join(names, ", "))
		}
	}
	raw, err := f.ClientConfig().RawConfig()
	if err != nil {
		return fmt.Errorf("load kubeconfig: %w", err)
	}
	for _, n := range names {
		if _, ok := raw.Contexts[n]; ok {
			continue
		}
		known := make([]string, 0, len(raw.Contexts))
		for k := range raw.Contexts {
			known = append(known, k)
		}
		sort.Strings(known)
		if len(known) == 0 {
			return fmt.Errorf("context %q not found: the kubeconfig has no contexts", n)
		}
		return fmt.Errorf("context %q not found in the kubeconfig (it has: %s)", n, strings.Join(known, ", "))
	}
	return nil
}

// ForContext returns a copy of the flags bound to one context, for one of
// several clusters: its credentials, exec plugins included, resolve as
// kubectl --context NAME would.
func (f *ConfigFlags) ForContext(name string) *ConfigFlags {
	c := *f
	c.Contexts, c.AllContexts, c.ClusterSet = []string{name}, false, ""
	c.Namespaces = slices.Clone(f.Namespaces)
	c.Overrides.CurrentContext = name
	return &c
}
