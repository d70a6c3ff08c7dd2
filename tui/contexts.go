package tui

import (
	"strings"
	"time"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
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

// forbiddenText names the namespaces (already sanitized) refused to us.
func forbiddenText(nss []string) string {
	if len(nss) == 0 {
		return "forbidden"
	}
	parts := make([]string, len(nss))
	for i, ns := range nss {
		if ns == "" {
			parts[i] = "cluster scope"
		} else {
			parts[i] = ns
		}
	}
	if len(nss) == 1 && nss[0] != "" {
		return "forbidden in namespace " + parts[0]
	}
	return "forbidden in " + strings.Join(parts, ", ")
}
