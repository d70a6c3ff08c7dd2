package completion

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fishEnv is the environment fish runs in: the fake program first on PATH,
// and fish's own state (history, universal variables) and HOME in temp
// dirs, so that "~/" means a directory the test controls.
func fishEnv(t *testing.T, pathEnv, home string) []string {
	t.Helper()
	return append(os.Environ(), "PATH="+pathEnv, helperEnv+"=1", raceNoSleep, "HOME="+home,
		"XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(), "XDG_CACHE_HOME="+t.TempDir())
}

// TestFishScript loads the fish script in a real fish and has fish complete
// command lines (`complete -C`, what TAB runs), checking every candidate
// and description fish would show: the script, fish's completion engine
// and the engine (answering as the fake program) together.
func TestFishScript(t *testing.T) {
	fish := needShell(t, "fish")
	pathEnv, script := installFakeProgram(t, "fish", "initwatch")
	home := t.TempDir()
	for _, name := range []string{"staging-kubeconfig.yaml", "my kube.yaml"} {
		if err := os.WriteFile(filepath.Join(home, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A file whose name would complete any "x" word: it shows up only if
	// the script wrongly lets fish fall back to file names.
	workDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(workDir, "xfile"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:eks:eu-west-1:123:cluster/shop"
	tests := []struct {
		line string
		want []string // "value" or "value<TAB>description", sorted
	}{
		{"initwatch ", []string{"completion\tPrint a shell completion script", "get\tPrint pods as a table"}},
		{"initwatch g", []string{"get\tPrint pods as a table"}},
		{"initwatch get --ou", []string{"--output\tOutput format"}},
		{"initwatch -", []string{"--all-namespaces\tAll namespaces", "--context\tKubeconfig context", "--help\tShow help",
			"--kubeconfig\tPath to the kubeconfig file", "--namespace\tNamespaces to watch", "--selector\tLabel selector",
			"--theme\tColour theme", "-A\tAll namespaces", "-h\tShow help", "-l\tLabel selector", "-n\tNamespaces to watch"}},
		{"initwatch --context ", []string{arn, "dev\tcluster dev", "prod\tcluster prod"}},
		{"initwatch --context arn:aws:eks:eu", []string{arn}},
		{"initwatch --context=", []string{"--context=" + arn, "--context=dev\tcluster dev", "--context=prod\tcluster prod"}},
		{"initwatch --context=pr", []string{"--context=prod\tcluster prod"}},
		// Quoting is removed before the word reaches the engine, also
		// while a quote is still open.
		{"initwatch --context 'pr", []string{"prod\tcluster prod"}},
		{`initwatch --context "arn:aws`, []string{arn}},
		{`initwatch --context pr\o`, []string{"prod\tcluster prod"}},
		{"initwatch --context 'prod' -n p", []string{"payments"}},
		// The namespaces follow the --context typed earlier.
		{"initwatch --context prod -n ", []string{"default", "payments", "shipping"}},
		{"initwatch --context dev -n ", []string{"default", "dev-a", "dev-b"}},
		{"initwatch --context prod -n payments,", []string{"payments,default", "payments,shipping"}},
		{"initwatch --theme ", []string{"dark", "light\tfor light terminals"}},
		{"initwatch completion z", []string{"zsh"}},
		// No candidates, file names not allowed, though ./xfile matches.
		{"initwatch --theme x", nil},
		{"initwatch completion bash x", nil},
		{"initwatch completion bash ", nil},
		// No candidates for --kubeconfig: fish completes file names, in
		// every form a path is typed.
		{"initwatch --kubeconfig " + home + "/stag", []string{home + "/staging-kubeconfig.yaml"}},
		{"initwatch --kubeconfig=" + home + "/stag", []string{"--kubeconfig=" + home + "/staging-kubeconfig.yaml"}},
		{"initwatch --kubeconfig ~/stag", []string{"~/staging-kubeconfig.yaml"}},
		{"initwatch --kubeconfig '" + home + "/my k", []string{home + "/my kube.yaml"}},
		{`initwatch --kubeconfig ` + home + `/my\ k`, []string{home + "/my kube.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // against a hung shell only
			defer cancel()
			cmd := exec.CommandContext(ctx, fish, "--no-config", "-c", "source $argv[1]; and complete -C $argv[2]", script, tt.line)
			cmd.Dir = workDir
			cmd.Env = fishEnv(t, pathEnv, home)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil || stderr.Len() > 0 {
				t.Fatalf("fish: %v\n%s", err, stderr.String())
			}
			var got []string
			for _, l := range strings.Split(string(out), "\n") {
				if l != "" {
					got = append(got, l)
				}
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("complete -C %q =\n%q\nwant\n%q", tt.line, got, tt.want)
			}
		})
	}
}

// TestFishScriptAsPlugin: as a kubectl plugin the script is registered for
// the kubectl-initwatch command.
func TestFishScriptAsPlugin(t *testing.T) {
	fish := needShell(t, "fish")
	pathEnv, script := installFakeProgram(t, "fish", "kubectl-initwatch")
	cmd := exec.Command(fish, "--no-config", "-c", "source $argv[1]; and complete -C $argv[2]", script, "kubectl-initwatch --context d")
	cmd.Env = fishEnv(t, pathEnv, t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "dev\tcluster dev\n" {
		t.Errorf("complete -C: %v, %q; want %q", err, out, "dev\tcluster dev\n")
	}
}

// TestFishTabInTmux presses TAB in an interactive fish under tmux, where
// fish inserts the completion into the command line as a user sees it.
func TestFishTabInTmux(t *testing.T) {
	fish := needShell(t, "fish")
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed")
	}
	pathEnv, script := installFakeProgram(t, "fish", "initwatch")
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "staging-kubeconfig.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	init := filepath.Join(t.TempDir(), "init.fish")
	initText := fmt.Sprintf("set -g fish_greeting\nfunction fish_prompt; echo '$ '; end\nsource %s\n", fishQuote(script))
	if err := os.WriteFile(init, []byte(initText), 0o644); err != nil {
		t.Fatal(err)
	}
	socket := fmt.Sprintf("initwatch-fish-completion-%d", os.Getpid())
	// The server's socket lives in the test's temp dir, removed with it;
	// the server and so fish get the test's environment.
	tmuxEnv := append(fishEnv(t, pathEnv, home), "TMUX_TMPDIR="+t.TempDir())
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(tmux, append([]string{"-L", socket}, args...)...)
		cmd.Env = tmuxEnv
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// Several words after new-session: tmux runs them without a shell.
	run("-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "20",
		fish, "--no-config", "--init-command", "source "+fishQuote(init))
	t.Cleanup(func() {
		cmd := exec.Command(tmux, "-L", socket, "kill-server")
		cmd.Env = tmuxEnv
		_ = cmd.Run()
	})

	// waitFor polls the screen until it shows want: how long the shell
	// takes is not what is tested, so the bound is generous.
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		var screen string
		for time.Now().Before(deadline) {
			screen = run("capture-pane", "-p")
			if strings.Contains(screen, want) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("screen never showed %q:\n%s", want, screen)
	}
	waitFor("$")

	steps := []struct {
		typed string
		want  string // the prompt line after TAB
	}{
		{"initwatch --context=arn:aws:eks:eu", "$ initwatch --context=arn:aws:eks:eu-west-1:123:cluster/shop"},
		{"initwatch --context 'pr", "$ initwatch --context 'prod'"},
		{"initwatch --context prod -n pay", "$ initwatch --context prod -n payments"},
		{"initwatch get --out", "$ initwatch get --output"},
		{"initwatch --kubeconfig ~/stag", "$ initwatch --kubeconfig ~/staging-kubeconfig.yaml"},
	}
	for _, s := range steps {
		run("send-keys", "-t", "0", "-l", s.typed)
		run("send-keys", "-t", "0", "Tab")
		waitFor(s.want)
		run("send-keys", "-t", "0", "C-u")
		run("send-keys", "-t", "0", "C-l")
	}
}

// fishQuote quotes s as one fish word.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestFishScriptProgramFails: when the program cannot answer, TAB offers
// nothing, neither an error nor file names (./xfile would match).
func TestFishScriptProgramFails(t *testing.T) {
	fish := needShell(t, "fish")
	_, script := installFakeProgram(t, "fish", "initwatch")
	workDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(workDir, "xfile"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(fish, "--no-config", "-c", "source $argv[1]; and complete -C $argv[2]", script, "initwatch x")
	cmd.Dir = workDir
	cmd.Env = fishEnv(t, failingProgram(t, "initwatch"), t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Errorf("complete -C: %v, %q; want no output", err, out)
	}
}
