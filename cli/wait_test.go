package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/initwatch/initwatch/wait"
)

func TestWaitUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "name what to wait for"},
		{[]string{"svc/web"}, `unknown type "svc"`},
		{[]string{"deploy"}, "want TYPE/NAME"},
		{[]string{"deploy/web", "-l", "app=web"}, "cannot be combined"},
		{[]string{"pod/web-0", "--for", "rollout"}, "--for rollout applies to"},
		{[]string{"deploy/web", "--for", "complete"}, "use initialized, ready or rollout"},
		{[]string{"deploy/web", "-o", "yaml"}, "unknown output format"},
		{[]string{"deploy/web", "-A"}, "-A needs -l"},
		{[]string{"deploy/web", "-n", "a,b"}, "one namespace"},
		{[]string{"deploy/web", "--max-restarts", "-2"}, "--max-restarts"},
		{[]string{"deploy/web", "--pull-grace", "-1s"}, "must not be negative"},
		{[]string{"deploy/web", "--bogus"}, "unknown flag"},
	} {
		code, stdout, stderr := runMain(t, &Env{}, append([]string{"wait"}, tc.args...)...)
		if code != wait.ExitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("wait %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestWaitHelpListsExitCodesAndRules(t *testing.T) {
	code, stdout, _ := runMain(t, &Env{}, "wait", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Exit codes:", "3    timed out", "4    cannot reach the cluster",
		"--max-restarts", "--fail-fast", "--pull-grace", "--schedule-grace", "--stop-on-failed-pod",
		"--stop-on-progress-deadline", "--log-lines", "--quiet", "GITHUB_ACTIONS",
		"Several clusters", "exits 4 naming it", "exits 4 at\nonce"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestWaitUnreachableExits4(t *testing.T) {
	code, stdout, stderr := runMain(t, &Env{}, "wait", "deploy/web", "--kubeconfig", writeKubeconfig(t))
	if code != wait.ExitUnreachable || stdout != "" || !strings.HasPrefix(stderr, "error: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 4 and one error line", code, stdout, stderr)
	}
}

// On the demo, as a plain process (stdout is no terminal): a pod whose
// init container failed under restartPolicy Never stops the wait at once.
func TestWaitDemoFailedPod(t *testing.T) {
	code, stdout, stderr := runMain(t, &Env{}, "wait", "--demo", "--demo-speed", "20x", "pod/report-export", "--timeout", "2m")
	if code != wait.ExitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"default/report-export Init:Error\n", // already failed when the demo's release is under way
		"failed-pod: default/report-export: init container fetch-dataset failed with exit code 22",
		"fetch-dataset: Error, exit code 22 — 1 pod",
		"log of default/report-export fetch-dataset (failed run, last 20 lines):",
		"| curl: (22) The requested URL returned error: 404",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.ContainsRune(stdout+stderr, 0x1b) {
		t.Errorf("escape sequence in the output of a plain process:\n%q", stdout+stderr)
	}
}

// The seed app's init-check-services fails three times, then succeeds:
// within --max-restarts 3, so the wait ends done.
func TestWaitDemoRecovers(t *testing.T) {
	code, stdout, stderr := runMain(t, &Env{}, "wait", "--demo", "--demo-speed", "20x",
		"-l", "app.kubernetes.io/component=k8s-init-containers", "--timeout", "2m")
	if code != wait.ExitDone || !strings.Contains(stdout, "done in") || !strings.Contains(stdout, "restart 3") {
		t.Fatalf("exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	if strings.ContainsRune(stdout+stderr, 0x1b) {
		t.Errorf("escape sequence in the output:\n%q", stdout+stderr)
	}
	// The same run with --max-restarts 2 stops at the third restart.
	code, stdout, _ = runMain(t, &Env{}, "wait", "--demo", "--demo-speed", "20x",
		"-l", "app.kubernetes.io/component=k8s-init-containers", "--max-restarts", "2", "--timeout", "2m")
	if code != wait.ExitFailed || !strings.Contains(stdout, "restarted 3 times, more than --max-restarts=2") {
		t.Fatalf("--max-restarts 2: exit %d\n%s", code, stdout)
	}
}

func TestWaitDemoJSONAndQuiet(t *testing.T) {
	code, stdout, stderr := runMain(t, &Env{}, "wait", "--demo", "--demo-speed", "20x", "pod/report-export", "-o", "json", "--quiet")
	if code != wait.ExitFailed || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var rep wait.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout)
	}
	if rep.Result != wait.Failed || rep.ExitCode != 1 || len(rep.Stops) != 1 || rep.Stops[0].Rule != wait.RuleFailedPod ||
		len(rep.Failures) != 1 || rep.Failures[0].Step != "fetch-dataset" || rep.Failures[0].Log == nil || len(rep.Failures[0].Log.Lines) == 0 {
		t.Fatalf("report: %+v", rep)
	}
	code, stdout, _ = runMain(t, &Env{}, "wait", "--demo", "--demo-speed", "20x", "pod/report-export", "--quiet")
	if code != wait.ExitFailed || strings.Contains(stdout, "→") || !strings.HasPrefix(stdout, "FAILED") {
		t.Fatalf("--quiet printed progress or no outcome (exit %d):\n%s", code, stdout)
	}
}

func TestWaitDemoTimeout(t *testing.T) {
	// checkout's rollout is under way when the demo's wait starts and
	// takes about a minute at 1x: 2s of waiting end with exit code 3 and
	// the new revision's pods still initializing.
	code, stdout, stderr := runMain(t, &Env{}, "wait", "--demo", "-n", "payments", "deploy/checkout", "--timeout", "2s")
	if code != wait.ExitTimedOut || !strings.Contains(stdout, "TIMED OUT after") || !strings.Contains(stdout, "deployment/checkout (waiting, --for rollout)") ||
		!strings.Contains(stdout, "Still pending") {
		t.Fatalf("exit %d, want 3\n%s%s", code, stdout, stderr)
	}
}

func TestWaitGitHubAnnotations(t *testing.T) {
	env := &Env{LookupEnv: mapEnv{"HOME": t.TempDir(), "GITHUB_ACTIONS": "true"}.lookup}
	code, stdout, _ := runMain(t, env, "wait", "--demo", "--demo-speed", "20x", "pod/report-export")
	if code != wait.ExitFailed {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"::error title=initwatch wait%3A pod/report-export failed-pod::", "::group::log of default/report-export fetch-dataset", "::endgroup::"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}
