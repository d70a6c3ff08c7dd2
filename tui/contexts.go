package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/view"
)

// clusterConn is one watched cluster as the header shows it.
type clusterConn struct {
	context string // as the CONTEXT column shows it
	conn    kube.ConnState
	synced  bool
}

// stale reports that the cluster's pods on screen may no longer be true:
// it stopped answering after it was listed.
func (c *clusterConn) stale() bool {
	return c.conn.Phase == kube.ConnReconnecting || c.conn.Phase == kube.ConnUnreachable
}

// shortContexts names each context for the CONTEXT column: sanitized, and
// shortened the way the cloud tools name them (an EKS ARN to the part after
// "cluster/", a GKE "gke_project_zone_name" to its name), unless that
// would make two contexts look the same.
func shortContexts(contexts []string) map[string]string {
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

// clustersText is the header's connection state with several clusters:
// each cluster's name and state, a stale mark and since when on those
// that stopped answering.
func clustersText(clusters []clusterConn, th *themes.Theme, now time.Time) string {
	parts := make([]string, 0, len(clusters))
	for i := range clusters {
		c := &clusters[i]
		since := ""
		if !c.conn.Since.IsZero() {
			since = " " + model.Since(c.conn.Since, now)
		}
		name := th.HeaderValue.Render(c.context) + " "
		switch c.conn.Phase {
		case kube.ConnLive:
			parts = append(parts, name+th.ConnLive.Render("● live"))
		case kube.ConnReconnecting:
			parts = append(parts, name+th.ConnReconnecting.Render("◌ reconnecting")+th.Warning.Render(" · stale"+since))
		case kube.ConnUnreachable:
			parts = append(parts, name+th.ConnForbidden.Render("✗ unreachable")+th.Warning.Render(since))
		case kube.ConnForbidden:
			parts = append(parts, name+th.ConnForbidden.Render("✗ "+forbiddenText(c.conn.Forbidden)))
		default:
			if c.synced {
				parts = append(parts, name+th.ConnLive.Render("● live"))
			} else {
				parts = append(parts, name+th.Warning.Render("◌ connecting…"))
			}
		}
	}
	return strings.Join(parts, th.Muted.Render("  "))
}

// ctxWidth is the CONTEXT column's natural width: the longest name, with
// room for the stale mark when a cluster is stale.
func ctxWidth(clusters []clusterConn) int {
	w, stale := 0, false
	for i := range clusters {
		w = max(w, ansi.StringWidth(clusters[i].context))
		stale = stale || clusters[i].stale()
	}
	if stale {
		w += len(staleMark)
	}
	return w
}
