package podlist

import (
	"strings"

	"github.com/initwatch/initwatch/tui/view"
)

// ShortContexts names each context for the CONTEXT column: sanitized, and
// shortened the way the cloud tools name them (an EKS ARN to the part after
// "cluster/", a GKE "gke_project_zone_name" to its name), unless that
// would make two contexts look the same.
func ShortContexts(contexts []string) map[string]string {
	short := make(map[string]string, len(contexts))
	seen := make(map[string]int, len(contexts))
	for _, c := range contexts {
		s := shortContext(c)
		short[c] = s
		seen[s]++
	}
	for _, c := range contexts {
		if seen[short[c]] > 1 {
			short[c] = view.CellText(c)
		}
	}
	return short
}

func shortContext(c string) string {
	s := c
	switch {
	case strings.HasPrefix(s, "arn:") && strings.Contains(s, ":cluster/"):
		s = s[strings.LastIndex(s, ":cluster/")+len(":cluster/"):]
	case strings.HasPrefix(s, "gke_") && strings.Count(s, "_") >= 3:
		s = s[strings.LastIndex(s, "_")+1:]
	}
	if s == "" {
		s = c
	}
	return view.CellText(s)
}
