package e2e

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/e2e/podgen"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
)

const (
	minOracleCases = 200
	// sameSecondTries is how many times the test re-runs kubectl and
	// initwatch to catch both within one wall-clock second, where every
	// age must match character for character.
	sameSecondTries = 8
)

// TestOracle writes a generated set of pod statuses into a real apiserver
// and requires, column for column, that kubectl (whose READY, STATUS,
// RESTARTS and AGE the server's own printer computes) agrees with
// (a) model.Print of the pods delivered by kube's informer source and
// (b) the real `initwatch get -A`.
//
// Times: AGE and the "(5m ago)" of RESTARTS are whole seconds since a
// timestamp stored with second precision, so they depend only on the
// wall-clock second in which a command ran. The test re-runs the pair
// until kubectl and initwatch ran within the same second and then compares
// every cell of the two outputs verbatim. Each output is also compared,
// whole row at once, with the model's row at one of the seconds its command
// was running; nothing else is normalised.
func TestOracle(t *testing.T) {
	cp := shared.Get(t)
	kubectl := kubectlBinary(t)
	initwatch := initwatchBinary(t)
	ctx := context.Background()
	cs, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	kc := adminKubeconfig(t, cp)

	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	templates, err := podgen.LoadTemplates(filepath.Join(root, "testdata", "e2e", "templates"))
	if err != nil {
		t.Fatal(err)
	}
	suite := unique("oracle")
	oracleLabel := "initwatch-e2e=" + suite
	oracleNamespaces := []string{suite + "-a", suite + "-b", suite + "-c"}
	gen := podgen.Generator{
		Templates:  templates,
		Namespaces: oracleNamespaces,
		Labels:     map[string]string{"initwatch-e2e": suite},
		Base:       time.Now().Truncate(time.Second),
	}
	cases := gen.OracleCases()
	if len(cases) < minOracleCases {
		t.Fatalf("generated %d pod statuses, want at least %d", len(cases), minOracleCases)
	}
	notes := map[kube.PodKey]string{}
	for _, c := range cases {
		notes[kube.PodKey{Namespace: c.Pod.Namespace, Name: c.Pod.Name}] = c.Pod.Annotations[podgen.CaseAnnotation]
	}
	if err := podgen.EnsureNamespaces(ctx, cs, oracleNamespaces); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := podgen.Release(context.Background(), cs, cases); err != nil {
			t.Errorf("release held pods: %v", err)
		}
	})
	if err := podgen.Apply(ctx, cs, cases, 8); err != nil {
		t.Fatal(err)
	}

	src := record(t, cs, kube.Options{LabelSelector: oracleLabel})
	src.waitFor(t, "the informer source to deliver every generated pod", func(s recorderState) bool {
		return s.synced && len(s.pods) == len(cases)
	})
	delivered := src.state().pods

	var kubectlRes, initwatchRes cmdResult
	sameSecond := false
	for try := 0; try < sameSecondTries && !sameSecond; try++ {
		kubectlRes = run(t, nil, kubectl, "--kubeconfig", kc, "get", "pods", "-A", "-l", oracleLabel, "--no-headers")
		initwatchRes = run(t, nil, initwatch, "get", "--kubeconfig", kc, "-A", "-l", oracleLabel, "--no-headers")
		for _, r := range []cmdResult{kubectlRes, initwatchRes} {
			if r.code != 0 {
				t.Fatalf("exit code %d, stderr: %s", r.code, r.stderr)
			}
		}
		sameSecond = kubectlRes.start.Unix() == initwatchRes.end.Unix()
	}
	kubectlRows := parseTable(t, "kubectl", kubectlRes.stdout, len(kubectlColumns))
	initwatchRows := parseTable(t, "initwatch get", initwatchRes.stdout, len(initwatchColumns))
	if len(kubectlRows) != len(cases) {
		t.Fatalf("kubectl lists %d pods, %d were created", len(kubectlRows), len(cases))
	}

	var diffs []difference
	diffs = append(diffs, compareWithModel("model.Print (kubectl's window)", kubectlRows, len(kubectlColumns), delivered,
		seconds(kubectlRes.start, kubectlRes.end), notes)...)
	diffs = append(diffs, compareWithModel("initwatch get (its window)", initwatchRows, len(initwatchColumns), delivered,
		seconds(initwatchRes.start, initwatchRes.end), notes)...)
	diffs = append(diffs, compareOutputs(kubectlRows, initwatchRows, sameSecond, notes)...)
	for i, d := range diffs {
		if i == 60 {
			t.Errorf("… and %d more differences", len(diffs)-i)
			break
		}
		t.Error(d)
	}
	mode := "all cells verbatim (kubectl and initwatch ran in the same second)"
	if !sameSecond {
		mode = "time cells against the model at each command's own seconds (no same-second run in the tries)"
	}
	t.Logf("oracle: %d generated pod statuses compared, %d differences; %s", len(cases), len(diffs), mode)

	if k, i := rowOrder(kubectlRes.stdout), rowOrder(initwatchRes.stdout); !slices.Equal(k, i) {
		t.Errorf("initwatch get lists pods in another order than kubectl:\nkubectl:   %v\ninitwatch: %v", k, i)
	}
	checkBranchCoverage(t, kubectlRows)
	checkJSON(t, initwatch, kc, oracleLabel, kubectlRows)
}

// compareWithModel requires each row of who to equal, whole, the model's
// row of the same pod at one of the seconds the command ran.
func compareWithModel(who string, rows map[kube.PodKey][]string, ncols int, pods map[kube.PodKey]*corev1.Pod,
	at []time.Time, notes map[kube.PodKey]string) []difference {
	var diffs []difference
	for key := range pods {
		if _, ok := rows[key]; !ok {
			diffs = append(diffs, difference{key: key, column: "row", got: "(missing)", want: "a row", note: who + ": " + notes[key]})
		}
	}
	for key, row := range rows {
		pod, ok := pods[key]
		if !ok {
			diffs = append(diffs, difference{key: key, column: "row", got: strings.Join(row, " | "), want: "(no such pod delivered)", note: who})
			continue
		}
		var first []string
		matched := false
		for _, now := range at {
			want := modelRow(pod, now)[:ncols]
			if first == nil {
				first = want
			}
			if slices.Equal(row, want) {
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		for col := range ncols {
			if row[col] != first[col] {
				diffs = append(diffs, difference{key: key, column: initwatchColumns[col], got: row[col], want: first[col],
					note: who + ": " + notes[key]})
			}
		}
	}
	return diffs
}

// compareOutputs compares kubectl's and initwatch's rows directly: every
// cell when both ran in the same second, else all but the time cells.
func compareOutputs(kubectlRows, initwatchRows map[kube.PodKey][]string, sameSecond bool, notes map[kube.PodKey]string) []difference {
	var diffs []difference
	for key, k := range kubectlRows {
		i, ok := initwatchRows[key]
		if !ok {
			diffs = append(diffs, difference{key: key, column: "row", got: "(missing)", want: strings.Join(k, " | "), note: "initwatch get vs kubectl: " + notes[key]})
			continue
		}
		for col := range kubectlColumns {
			got, want := i[col], k[col]
			if !sameSecond && col == colRestarts {
				got, want = restartCount(got), restartCount(want)
			} else if !sameSecond && timeColumn(col) {
				continue
			}
			if got != want {
				diffs = append(diffs, difference{key: key, column: kubectlColumns[col], got: got, want: want, note: "initwatch get vs kubectl: " + notes[key]})
			}
		}
	}
	for key, i := range initwatchRows {
		if _, ok := kubectlRows[key]; !ok {
			diffs = append(diffs, difference{key: key, column: "row", got: strings.Join(i, " | "), want: "(not listed by kubectl)", note: "initwatch get vs kubectl"})
		}
	}
	return diffs
}

// rowOrder is the namespace/name of each row, in printed order.
func rowOrder(out string) []string {
	var keys []string
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		cells := cellGap.Split(line, 3)
		if len(cells) >= 2 {
			keys = append(keys, cells[colNamespace]+"/"+cells[colName])
		}
	}
	return keys
}

// restartCount is the count before " (… ago)".
func restartCount(cell string) string {
	n, _, _ := strings.Cut(cell, " ")
	return n
}

// branches are the outcomes of kubectl's printPod the generated set must
// reach; each is recognised in kubectl's own output, not in ours.
var branches = []struct {
	name   string
	column int
	re     *regexp.Regexp
}{
	{"Init:N/M", colStatus, regexp.MustCompile(`^Init:\d+/\d+$`)},
	{"Init:<waiting reason>", colStatus, regexp.MustCompile(`^Init:(CrashLoopBackOff|ErrImagePull|ImagePullBackOff|CreateContainerConfigError|ContainerCreating)$`)},
	{"Init:<terminated reason>", colStatus, regexp.MustCompile(`^Init:(Error|OOMKilled)$`)},
	{"Init:Signal:N", colStatus, regexp.MustCompile(`^Init:Signal:\d+$`)},
	{"Init:ExitCode:N", colStatus, regexp.MustCompile(`^Init:ExitCode:\d+$`)},
	{"PodInitializing", colStatus, regexp.MustCompile(`^PodInitializing$`)},
	{"Completed", colStatus, regexp.MustCompile(`^Completed$`)},
	{"NotReady", colStatus, regexp.MustCompile(`^NotReady$`)},
	{"Running", colStatus, regexp.MustCompile(`^Running$`)},
	{"Terminating", colStatus, regexp.MustCompile(`^Terminating$`)},
	{"Unknown (NodeLost)", colStatus, regexp.MustCompile(`^Unknown$`)},
	{"SchedulingGated", colStatus, regexp.MustCompile(`^SchedulingGated$`)},
	{"Evicted", colStatus, regexp.MustCompile(`^Evicted$`)},
	{"other pod reasons", colStatus, regexp.MustCompile(`^(OutOfcpu|NodeAffinity|UnexpectedAdmissionError|NodeLost)$`)},
	{"Signal:N", colStatus, regexp.MustCompile(`^Signal:\d+$`)},
	{"ExitCode:N", colStatus, regexp.MustCompile(`^ExitCode:\d+$`)},
	{"CrashLoopBackOff", colStatus, regexp.MustCompile(`^CrashLoopBackOff$`)},
	{"Error", colStatus, regexp.MustCompile(`^Error$`)},
	{"Pending", colStatus, regexp.MustCompile(`^Pending$`)},
	{"phase without statuses", colStatus, regexp.MustCompile(`^(Succeeded|Failed)$`)},
	{"RESTARTS N (AGE ago)", colRestarts, regexp.MustCompile(`^[1-9]\d* \(\w+ ago\)$`)},
	{"RESTARTS N without a time", colRestarts, regexp.MustCompile(`^[1-9]\d*$`)},
	{"RESTARTS from a future clock", colRestarts, regexp.MustCompile(`^\d+ \(<invalid> ago\)$`)},
	{"READY counting ready sidecars", colReady, regexp.MustCompile(`^4/4$`)},
	{"READY with sidecars, some not ready", colReady, regexp.MustCompile(`^[0-3]/4$`)},
}

func checkBranchCoverage(t *testing.T, rows map[kube.PodKey][]string) {
	t.Helper()
	for _, b := range branches {
		n := 0
		for _, row := range rows {
			if b.re.MatchString(row[b.column]) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no generated pod reached printPod's %q branch", b.name)
		}
	}
}

// checkJSON requires `-o json` to carry, for every pod kubectl lists, the
// same READY and STATUS and the pod's init progress.
func checkJSON(t *testing.T, initwatch, kc, oracleLabel string, kubectlRows map[kube.PodKey][]string) {
	t.Helper()
	res := run(t, nil, initwatch, "get", "--kubeconfig", kc, "-l", oracleLabel, "-o", "json")
	if res.code != 0 {
		t.Fatalf("initwatch get -o json: exit %d: %s", res.code, res.stderr)
	}
	var views []model.PodView
	if err := json.Unmarshal([]byte(res.stdout), &views); err != nil {
		t.Fatalf("initwatch get -o json is not a PodView list: %v", err)
	}
	if len(views) != len(kubectlRows) {
		t.Fatalf("-o json has %d pods, kubectl lists %d", len(views), len(kubectlRows))
	}
	for i := range views {
		v := &views[i]
		row, ok := kubectlRows[kube.PodKey{Namespace: v.Namespace, Name: v.Name}]
		if !ok {
			t.Errorf("-o json has %s/%s, kubectl does not", v.Namespace, v.Name)
			continue
		}
		if v.Printed.Ready != row[colReady] || v.Printed.Status != row[colStatus] {
			t.Errorf("-o json %s/%s: ready %q status %q, kubectl: %q %q", v.Namespace, v.Name,
				v.Printed.Ready, v.Printed.Status, row[colReady], row[colStatus])
		}
		if v.UID == "" || len(v.Steps) != v.Progress.Total {
			t.Errorf("-o json %s/%s: uid %q, %d steps for a total of %d", v.Namespace, v.Name, v.UID, len(v.Steps), v.Progress.Total)
		}
	}
}
