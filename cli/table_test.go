package cli

import (
	"strings"
	"testing"
	"text/tabwriter"
)

// kubectlTabwriter formats rows with the settings of kubectl's printer
// (k8s.io/cli-runtime: minwidth 6, tabwidth 4, padding 3, spaces).
func kubectlTabwriter(rows [][]string) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 6, 4, 3, ' ', 0)
	for _, r := range rows {
		w.Write([]byte(strings.Join(r, "\t") + "\n"))
	}
	w.Flush()
	return b.String()
}

func TestTableMatchesKubectlTabwriter(t *testing.T) {
	tests := []struct {
		name string
		rows [][]string
	}{
		{"header and rows", [][]string{
			{"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"},
			{"default", "web-7d9f-2xk4p", "0/1", "Init:CrashLoopBackOff", "4 (95s ago)", "12m"},
			{"kube-system", "a", "1/1", "Running", "0", "2d3h"},
		}},
		{"short cells take the minimum width", [][]string{{"a", "b", "c"}, {"", "d", "e"}}},
		{"one column", [][]string{{"x"}, {"longer"}}},
		{"wide runes count once", [][]string{{"ns", "pödé-ß", "1/1"}, {"namespace", "p", "0/1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := newTable(&b).write(tc.rows); err != nil {
				t.Fatal(err)
			}
			if got, want := b.String(), kubectlTabwriter(tc.rows); got != want {
				t.Errorf("got:\n%s\nwant (text/tabwriter as kubectl sets it):\n%s", got, want)
			}
		})
	}
}

// TestTableRemembersWidths is kubectl get -w's behaviour: a later, narrower
// row stays aligned under the first table, and a wider one widens the
// column from then on.
func TestTableRemembersWidths(t *testing.T) {
	var b strings.Builder
	tw := newTable(&b)
	steps := [][][]string{
		{{"NAME", "STATUS", "AGE"}, {"web-1", "Init:CrashLoopBackOff", "5s"}},
		{{"a", "Running", "6s"}},
		{{"a-much-longer-name", "Running", "7s"}},
		{{"b", "Init:0/4", "8s"}},
	}
	for _, rows := range steps {
		if err := tw.write(rows); err != nil {
			t.Fatal(err)
		}
	}
	want := "" +
		"NAME    STATUS                  AGE\n" +
		"web-1   Init:CrashLoopBackOff   5s\n" +
		"a       Running                 6s\n" +
		"a-much-longer-name   Running                 7s\n" +
		"b                    Init:0/4                8s\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
