package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
)

// Columns of `kubectl get pods -A`, which `initwatch get` starts with.
const (
	colNamespace = iota
	colName
	colReady
	colStatus
	colRestarts
	colAge
	colInit   // initwatch only
	colActive // initwatch only
)

var kubectlColumns = []string{"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"}
var initwatchColumns = append(append([]string(nil), kubectlColumns...), "INIT", "ACTIVE")

// cellGap separates columns: kubectl's tab writer pads with at least three
// spaces, and no cell holds more than one space in a row ("3 (5m ago)").
var cellGap = regexp.MustCompile(` {3,}`)

// parseTable splits --no-headers output into rows keyed by namespace/name.
func parseTable(t *testing.T, who, out string, columns int) map[kube.PodKey][]string {
	t.Helper()
	rows := map[kube.PodKey][]string{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		cells := cellGap.Split(line, -1)
		if len(cells) != columns {
			t.Fatalf("%s printed a row with %d cells, want %d: %q", who, len(cells), columns, line)
		}
		key := kube.PodKey{Namespace: cells[colNamespace], Name: cells[colName]}
		if _, dup := rows[key]; dup {
			t.Fatalf("%s printed %s/%s twice", who, key.Namespace, key.Name)
		}
		rows[key] = cells
	}
	return rows
}

// modelRow is what initwatch's model says the row of pod reads at now.
func modelRow(pod *corev1.Pod, now time.Time) []string {
	v := model.NewPodView(pod, now)
	init, active := "-", "-"
	if v.Progress.Total > 0 {
		init = fmt.Sprintf("%d/%d", v.Progress.Done, v.Progress.Total)
	}
	if v.Progress.ActiveName != "" {
		active = v.Progress.ActiveName
	}
	return []string{pod.Namespace, pod.Name, v.Printed.Ready, v.Printed.Status, v.Printed.Restarts, v.Printed.Age, init, active}
}

// seconds lists the whole seconds of a command's run. Every time the
// printers show is a whole number of seconds since a timestamp that the API
// stores with second precision, so a row printed during [start, end] is
// the row at one of these instants.
func seconds(start, end time.Time) []time.Time {
	var out []time.Time
	for s := start.Unix(); s <= end.Unix(); s++ {
		out = append(out, time.Unix(s, 0))
	}
	return out
}

// timeColumn reports the columns whose text depends on the clock.
func timeColumn(col int) bool { return col == colRestarts || col == colAge }

// difference is one cell that disagrees.
type difference struct {
	key    kube.PodKey
	column string
	got    string
	want   string
	note   string
}

func (d difference) String() string {
	return fmt.Sprintf("%s/%s %s: got %q, want %q (%s)", d.key.Namespace, d.key.Name, d.column, d.got, d.want, d.note)
}
