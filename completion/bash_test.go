package completion

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// installFakeProgram puts the test binary on a fresh PATH entry under the
// name prog, answering __complete (see TestMain), and writes the bash
// script for prog. It returns the PATH value and the script's path.
func installFakeProgram(t *testing.T, shell, prog string) (pathEnv, script string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(self, filepath.Join(dir, prog)); err != nil {
		t.Fatal(err)
	}
	text, err := Script(shell, prog)
	if err != nil {
		t.Fatal(err)
	}
	script = filepath.Join(dir, "completion."+shell)
	if err := os.WriteFile(script, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir + string(os.PathListSeparator) + os.Getenv("PATH"), script
}

// raceNoSleep stops a -race test binary, run as the fake program, from
// sleeping a second at exit on every TAB.
const raceNoSleep = "GORACE=atexit_sleep_ms=0"

// TestBashScript runs the bash script's completion function in a real bash
// the way readline calls it: COMP_LINE, COMP_POINT, COMP_WORDS and
// COMP_CWORD as bash sets them (COMP_WORDS split at "=" and ":" too), and
// checks COMPREPLY and the compopt calls it makes.
func TestBashScript(t *testing.T) {
	bash := needShell(t, "bash")
	pathEnv, script := installFakeProgram(t, "bash", "initwatch")
	tests := []struct {
		line    string
		want    []string
		compopt string // options the script set, in order
	}{
		{"initwatch ", []string{"get", "completion"}, ""},
		{"initwatch g", []string{"get"}, ""},
		{"initwatch get --ou", []string{"--output"}, ""},
		{"initwatch --context ", []string{"dev", "prod", "arn:aws:eks:eu-west-1:123:cluster/shop"}, ""},
		// Readline replaces only what follows the last "=" or ":", so the
		// script must hand back exactly that part.
		{"initwatch --context=", []string{"dev", "prod", "arn:aws:eks:eu-west-1:123:cluster/shop"}, ""},
		{"initwatch --context=pr", []string{"prod"}, ""},
		{"initwatch --context arn:aws:eks:eu", []string{`eu-west-1:123:cluster/shop`}, ""},
		{"initwatch --context=arn:aws:eks:eu-west-1:1", []string{`123:cluster/shop`}, ""},
		{"initwatch --context prod -n p", []string{"payments"}, ""},
		{"initwatch --context prod -n payments,", []string{"payments,default", "payments,shipping"}, ""},
		// Earlier words reach the engine as bash will pass them to the
		// command: quotes and backslashes removed.
		{`initwatch --context 'prod' -n p`, []string{"payments"}, ""},
		{`initwatch --context "prod" -n p`, []string{"payments"}, ""},
		{`initwatch --context pr\od -n p`, []string{"payments"}, ""},
		{`initwatch --context 'pr'od -n p`, []string{"payments"}, ""},
		// Inside double quotes a backslash before "o" stays: the context
		// is pr\od, not prod.
		{`initwatch --context "pr\od" -n d`, []string{"default", "dev-a", "dev-b"}, ""},
		// The word being completed, unquoted even with its quote still
		// open. Readline then replaces the text after the open quote and
		// closes the quote itself, so the candidate is neither cut at ":"
		// nor escaped.
		{`initwatch --context 'pr`, []string{"prod"}, ""},
		{`initwatch --context "pr`, []string{"prod"}, ""},
		{`initwatch --context pr\o`, []string{"prod"}, ""},
		{`initwatch --context 'arn:aws:eks:eu`, []string{"arn:aws:eks:eu-west-1:123:cluster/shop"}, ""},
		{`initwatch --context=arn:aws:'eks:eu`, []string{"eks:eu-west-1:123:cluster/shop"}, ""},
		{`initwatch --context arn\:aws:eks:eu`, []string{"eu-west-1:123:cluster/shop"}, ""},
		{"initwatch completion z", []string{"zsh"}, ""},
		{"initwatch --kubeconfig ", nil, "-o default"},
		{"initwatch --theme x", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			// bash's own split of the line, as readline hands it over.
			words, cword := bashCompWords(tt.line)
			prog := fmt.Sprintf(`
source %q
compopt() { printf 'compopt %%s\n' "$*" >&2; }
COMP_LINE=%q
COMP_POINT=${#COMP_LINE}
COMP_WORDS=(%s)
COMP_CWORD=%d
__initwatch_complete initwatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%%s\n' "${COMPREPLY[@]}"
`, script, tt.line, quoteWords(words), cword)
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
			cmd.Env = append(os.Environ(), "PATH="+pathEnv, helperEnv+"=1", raceNoSleep)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("bash: %v\n%s", err, stderr.String())
			}
			got := strings.Fields(stdout.String())
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("COMPREPLY = %q, want %q", got, tt.want)
			}
			gotOpts := strings.TrimSpace(strings.ReplaceAll(stderr.String(), "compopt ", ""))
			if gotOpts != tt.compopt {
				t.Errorf("compopt calls = %q, want %q", gotOpts, tt.compopt)
			}
		})
	}
}

// bashCompWords splits line as bash does for COMP_WORDS: at blanks, and
// around each COMP_WORDBREAKS character other than blanks and quotes.
func bashCompWords(line string) ([]string, int) {
	var words []string
	cur := ""
	flush := func() {
		if cur != "" {
			words = append(words, cur)
			cur = ""
		}
	}
	for _, r := range line {
		switch {
		case r == ' ':
			flush()
		case strings.ContainsRune("=:@", r):
			// Runs of break characters form one word, as in "=".
			if cur != "" && !strings.ContainsRune("=:@", rune(cur[len(cur)-1])) {
				flush()
			}
			cur += string(r)
		default:
			if cur != "" && strings.ContainsRune("=:@", rune(cur[len(cur)-1])) {
				flush()
			}
			cur += string(r)
		}
	}
	flush()
	if strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	return words, len(words) - 1
}

func quoteWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, " ")
}

// TestBashTabInTmux presses TAB in an interactive bash under tmux: the
// script, readline and the completion engine together, as a user has them.
func TestBashTabInTmux(t *testing.T) {
	bash := needShell(t, "bash")
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed")
	}
	pathEnv, script := installFakeProgram(t, "bash", "initwatch")
	socket := fmt.Sprintf("initwatch-completion-%d", os.Getpid())
	rc := filepath.Join(t.TempDir(), "bashrc")
	rcText := fmt.Sprintf("PS1='$ '\nexport PATH=%q\nexport %s=1\nexport %s\nsource %q\n", pathEnv, helperEnv, raceNoSleep, script)
	if err := os.WriteFile(rc, []byte(rcText), 0o644); err != nil {
		t.Fatal(err)
	}
	// The server's socket lives in the test's temp dir, removed with it.
	tmuxEnv := append(os.Environ(), "TMUX_TMPDIR="+t.TempDir())
	tmuxCmd := func(args ...string) *exec.Cmd {
		cmd := exec.Command(tmux, append([]string{"-L", socket}, args...)...)
		cmd.Env = tmuxEnv
		return cmd
	}
	run := func(args ...string) string {
		out, err := tmuxCmd(args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "20", bash+" --noprofile --rcfile "+rc+" -i")
	t.Cleanup(func() { _ = tmuxCmd("kill-server").Run() })

	// waitFor polls the screen until it shows want: how long the shell
	// takes is not what is tested, so the bound is generous.
	waitFor := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		var screen string
		for time.Now().Before(deadline) {
			screen = run("capture-pane", "-p")
			if strings.Contains(screen, want) {
				return screen
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("screen never showed %q:\n%s", want, screen)
		return ""
	}
	waitFor("$") // capture-pane trims the prompt's trailing blank

	files := t.TempDir()
	if err := os.WriteFile(filepath.Join(files, "staging-kubeconfig.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		typed string
		want  string // the prompt line after TAB
	}{
		// No candidates for --kubeconfig: the shell completes file names.
		{"initwatch --kubeconfig " + files + "/stag", "$ initwatch --kubeconfig " + files + "/staging-kubeconfig.yaml"},
		{"initwatch --context=arn:aws:eks:eu", "$ initwatch --context=arn:aws:eks:eu-west-1:123:cluster/shop"},
		{"initwatch get --out", "$ initwatch get --output"},
		{"initwatch --context prod -n pay", "$ initwatch --context prod -n payments"},
		{"initwatch --context 'prod' -n pay", "$ initwatch --context 'prod' -n payments"},
		// Readline closes a quote left open.
		{"initwatch --context 'pr", "$ initwatch --context 'prod'"},
		{`initwatch --context "arn:aws:eks:eu`, `$ initwatch --context "arn:aws:eks:eu-west-1:123:cluster/shop"`},
		{`initwatch --context pr\o`, "$ initwatch --context prod"},
	}
	for _, s := range steps {
		run("send-keys", "-t", "0", "-l", s.typed)
		run("send-keys", "-t", "0", "Tab")
		waitFor(s.want)
		run("send-keys", "-t", "0", "C-u")
		run("send-keys", "-t", "0", "C-l")
	}
}
