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

// needShell returns the path of shell. Where it is not installed the test
// is skipped, except where every script must be proven: in CI (CI=true;
// .ci/run installs zsh and fish) and in the e2e run (INITWATCH_E2E=1).
// There a missing shell fails, so a script cannot go untested unnoticed.
func needShell(t *testing.T, shell string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" || os.Getenv("INITWATCH_E2E") == "1" {
		t.Fatalf("%s is not installed, and CI=true or INITWATCH_E2E=1 requires it: install the %s package (.ci/run does)", shell, shell)
	}
	t.Skipf("%s is not installed: its completion script is not tested (install the %s package; CI=true makes this a failure)", shell, shell)
	return ""
}

// zshSetup turns the interactive zsh that zshDriver starts into a test
// bench: compinit, the completion script (sourced, or autoloaded from
// $fpath as _PROG), and TAB bound to a widget that runs zsh's own
// complete-word with compadd wrapped, so that every candidate zsh accepts
// and the command line it leaves are written to $COMPTEST_CAPTURE.
const zshSetup = `
PS1='%% '
bindkey -e
unsetopt beep
if [[ $COMPTEST_LOAD == fpath ]]; then
    fpath=($COMPTEST_FPATH $fpath)
fi
autoload -U compinit && compinit -u -D
if [[ $COMPTEST_LOAD == source ]]; then
    source $COMPTEST_SCRIPT
fi

# compadd records, in zsh's own matching (-O), the words a call adds and
# their display strings (-d), then adds them as usual. Calls that already
# only collect matches (-O, -A, -D) are internal to the completion system.
compadd() {
    local a i
    for a in "$@"; do
        case $a in (-O|-A|-D) builtin compadd "$@"; return;; esac
    done
    local -a matched
    builtin compadd -O matched "$@"
    for (( i = 1; i < $#; i++ )); do
        if [[ ${@[i]} == -d ]]; then
            local -a shown
            shown=("${(@P)${@[i+1]}}")
            (( $#shown )) && print -rl -- "${shown[@]/#/display	}" >>$COMPTEST_CAPTURE
        fi
    done
    (( $#matched )) && print -rl -- "${matched[@]/#/match	}" >>$COMPTEST_CAPTURE
    builtin compadd "$@"
}

__test_tab() {
    zle complete-word
    print -r -- "buffer	$BUFFER" >>$COMPTEST_CAPTURE
    print -n '@@''tab-done@@'
}
zle -N __test_tab
bindkey '^I' __test_tab
print '@@''ready@@'
`

// zshDriver runs an interactive zsh in a pseudo-terminal (zsh's zpty
// module) and, for each "back<TAB>line" of $COMPTEST_KEYS, types the line,
// moves the cursor back characters left, presses TAB, waits for the widget
// to finish and clears the line. It prints what the terminal showed last,
// for failure messages.
const zshDriver = `
zmodload zsh/zpty || exit 1
zpty shell zsh -f -i
zpty -w shell "source ${(q)COMPTEST_SETUP}"
zpty -r shell screen '*@@ready@@*' || { print -r -- "$screen"; exit 1; }
while IFS=$'\t' read -r back line; do
    zpty -w -n shell "$line"
    repeat $back zpty -w -n shell $'\C-b'
    zpty -w -n shell $'\t'
    zpty -r shell screen '*@@tab-done@@*' || { print -r -- "$screen"; exit 1; }
    zpty -w -n shell $'\C-u'
done <$COMPTEST_KEYS
zpty -d shell
`

// zshKeys is one line to type and where to leave the cursor before TAB.
type zshKeys struct {
	line string
	back int // the cursor this many characters left of the end
}

// zshResult is what one TAB in zsh produced.
type zshResult struct {
	matches  []string // the candidates zsh accepted, sorted
	displays []string // what the list shows for them (value -- description)
	buffer   string   // the command line after TAB
}

// zshBench runs the completion script of prog in real, interactive zshs.
type zshBench struct {
	zsh, pathEnv, script, setup, driver, workDir string
}

func newZshBench(t *testing.T, prog string) *zshBench {
	t.Helper()
	zsh := needShell(t, "zsh")
	pathEnv, script := installFakeProgram(t, "zsh", prog)
	dir := t.TempDir()
	b := &zshBench{zsh: zsh, pathEnv: pathEnv, script: script,
		setup: filepath.Join(dir, "setup.zsh"), driver: filepath.Join(dir, "driver.zsh"),
		workDir: t.TempDir()}
	for path, text := range map[string]string{b.setup: zshSetup, b.driver: zshDriver} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The autoload form: the script saved as _PROG in a directory on $fpath.
	if err := os.Mkdir(filepath.Join(dir, "fpath"), 0o755); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fpath", "_"+prog), text, 0o644); err != nil {
		t.Fatal(err)
	}
	// A file whose name would complete any "x" word: it shows up only if
	// the script wrongly falls back to file names.
	if err := os.WriteFile(filepath.Join(b.workDir, "xfile"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// tab starts one interactive zsh with the script loaded the load way
// ("source", or "fpath": autoloaded by compinit), presses TAB after each
// of keys in turn, and returns what each TAB produced.
func (b *zshBench) tab(t *testing.T, load string, keys ...zshKeys) []zshResult {
	t.Helper()
	dir := t.TempDir()
	capture, keysFile := filepath.Join(dir, "capture"), filepath.Join(dir, "keys")
	var lines strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&lines, "%d\t%s\n", k.back, k.line)
	}
	if err := os.WriteFile(keysFile, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// The bound only stops a hung shell from hanging the test run; how long
	// zsh takes is not what is tested.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.zsh, "-f", b.driver)
	cmd.Dir = b.workDir
	// Not ZSH_*: zsh sets ZSH_SCRIPT itself, to the driver, which then
	// sources itself without end.
	cmd.Env = append(os.Environ(), "PATH="+b.pathEnv, helperEnv+"=1", raceNoSleep, "TERM=xterm",
		"COMPTEST_SETUP="+b.setup, "COMPTEST_SCRIPT="+b.script, "COMPTEST_LOAD="+load,
		"COMPTEST_FPATH="+filepath.Join(filepath.Dir(b.setup), "fpath"),
		"COMPTEST_KEYS="+keysFile, "COMPTEST_CAPTURE="+capture)
	cmd.WaitDelay = 5 * time.Second
	screen, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("zsh did not finish the TABs: %v\nterminal:\n%q", err, screen)
	}
	data, err := os.ReadFile(capture)
	if err != nil {
		t.Fatalf("zsh wrote no capture: %v\nterminal:\n%q", err, screen)
	}
	// Each TAB's capture ends with its buffer line.
	var results []zshResult
	var r zshResult
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		kind, value, _ := strings.Cut(line, "\t")
		switch kind {
		case "match":
			r.matches = append(r.matches, value)
		case "display":
			r.displays = append(r.displays, strings.Join(strings.Fields(value), " "))
		case "buffer":
			r.buffer = value
			slices.Sort(r.matches)
			results = append(results, r)
			r = zshResult{}
		default:
			t.Fatalf("capture line %q\nterminal:\n%q", line, screen)
		}
	}
	if len(results) != len(keys) {
		t.Fatalf("%d TABs captured, want %d\nterminal:\n%q", len(results), len(keys), screen)
	}
	return results
}

// TestZshScript presses TAB in a real interactive zsh with the script
// loaded, and checks the candidates zsh accepted, what its list shows and
// the command line TAB leaves: the script, zsh's completion system and the
// engine (answering as the fake program) together.
func TestZshScript(t *testing.T) {
	b := newZshBench(t, "initwatch")
	files := t.TempDir()
	if err := os.WriteFile(filepath.Join(files, "staging-kubeconfig.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:eks:eu-west-1:123:cluster/shop"
	tests := []struct {
		line     string
		back     int      // cursor this many characters left of the end
		want     []string // sorted
		displays []string // shown in the list, when checked
		buffer   string   // the line after TAB
	}{
		{line: "initwatch ", want: []string{"completion", "get"},
			displays: []string{"completion -- Print a shell completion script", "get -- Print pods as a table"},
			buffer:   "initwatch "},
		{line: "initwatch g", want: []string{"get"}, buffer: "initwatch get "},
		{line: "initwatch get --ou", want: []string{"--output"}, buffer: "initwatch get --output "},
		{line: "initwatch get -", want: []string{"--all-namespaces", "--context", "--kubeconfig", "--namespace",
			"--output", "--selector", "--watch", "--zone", "-A", "-l", "-n", "-o", "-w"}, buffer: "initwatch get -"},
		// _describe splits "value:description" at the first colon: the
		// script must escape the colons of an EKS context name.
		{line: "initwatch --context ", want: []string{arn, "dev", "prod"},
			displays: []string{"dev -- cluster dev", "prod -- cluster prod", arn},
			buffer:   "initwatch --context "},
		{line: "initwatch --context arn:aws:eks:eu", want: []string{arn}, buffer: "initwatch --context " + arn + " "},
		{line: "initwatch --context=", want: []string{"--context=" + arn, "--context=dev", "--context=prod"}, buffer: "initwatch --context="},
		{line: "initwatch --context=pr", want: []string{"--context=prod"}, buffer: "initwatch --context=prod "},
		// Quoting: zsh removes it before the word reaches the engine, and
		// closes an open quote after the completed value.
		{line: "initwatch --context 'pr", want: []string{"prod"}, buffer: "initwatch --context 'prod' "},
		{line: `initwatch --context "arn:aws`, want: []string{arn}, buffer: `initwatch --context "` + arn + `" `},
		{line: `initwatch --context pr\o`, want: []string{"prod"}, buffer: "initwatch --context prod "},
		{line: "initwatch --context 'prod' -n p", want: []string{"payments"}, buffer: "initwatch --context 'prod' -n payments "},
		// The namespaces follow the --context typed earlier.
		{line: "initwatch --context prod -n ", want: []string{"default", "payments", "shipping"}, buffer: "initwatch --context prod -n "},
		{line: "initwatch --context dev -n ", want: []string{"default", "dev-a", "dev-b"}, buffer: "initwatch --context dev -n de"},
		{line: "initwatch --context prod -n payments,", want: []string{"payments,default", "payments,shipping"}, buffer: "initwatch --context prod -n payments,"},
		{line: "initwatch --context prod -n payments,s", want: []string{"payments,shipping"}, buffer: "initwatch --context prod -n payments,shipping "},
		// The cursor inside the line: only the words before it count (zsh
		// adds its space before the typed one, as for any command).
		{line: "initwatch --context pr -n payments", back: len(" -n payments"), want: []string{"prod"}, buffer: "initwatch --context prod  -n payments"},
		{line: "initwatch -n d --context prod", back: len(" --context prod"), want: []string{"default", "dev-a", "dev-b"}, buffer: "initwatch -n de --context prod"},
		{line: "initwatch --theme ", want: []string{"dark", "light"},
			displays: []string{"light -- for light terminals", "dark"}, buffer: "initwatch --theme "},
		{line: "initwatch --theme l", want: []string{"light"}, buffer: "initwatch --theme light "},
		{line: "initwatch completion z", want: []string{"zsh"}, buffer: "initwatch completion zsh "},
		// No candidates, file names not allowed: the line stays as typed,
		// though ./xfile would complete "x".
		{line: "initwatch --theme x", want: nil, buffer: "initwatch --theme x"},
		{line: "initwatch completion bash x", want: nil, buffer: "initwatch completion bash x"},
		{line: "initwatch completion bash ", want: nil, buffer: "initwatch completion bash "},
		// No candidates for --kubeconfig: zsh completes file names.
		{line: "initwatch --kubeconfig " + files + "/stag", want: []string{"staging-kubeconfig.yaml"},
			buffer: "initwatch --kubeconfig " + files + "/staging-kubeconfig.yaml "},
	}
	// One shell for the whole table, as a user TABs again and again.
	keys := make([]zshKeys, len(tests))
	for i, tt := range tests {
		keys[i] = zshKeys{tt.line, tt.back}
	}
	results := b.tab(t, "source", keys...)
	for i, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got := results[i]
			if !reflect.DeepEqual(got.matches, tt.want) {
				t.Errorf("candidates = %q, want %q", got.matches, tt.want)
			}
			for _, d := range tt.displays {
				if !slices.Contains(got.displays, d) {
					t.Errorf("list shows %q, want it to show %q", got.displays, d)
				}
			}
			if got.buffer != tt.buffer {
				t.Errorf("line after TAB = %q, want %q", got.buffer, tt.buffer)
			}
		})
	}
}

// TestZshScriptFromFpath loads the script the other documented way: saved
// as _initwatch in a directory on $fpath and autoloaded by compinit on the
// first TAB (the file's body is then the function _initwatch, run again
// on every TAB after).
func TestZshScriptFromFpath(t *testing.T) {
	b := newZshBench(t, "initwatch")
	tests := []struct {
		line   string
		want   []string
		buffer string
	}{
		{"initwatch ", []string{"completion", "get"}, "initwatch "},
		{"initwatch --context arn:", []string{"arn:aws:eks:eu-west-1:123:cluster/shop"}, "initwatch --context arn:aws:eks:eu-west-1:123:cluster/shop "},
		{"initwatch --context prod -n sh", []string{"shipping"}, "initwatch --context prod -n shipping "},
	}
	keys := make([]zshKeys, len(tests))
	for i, tt := range tests {
		keys[i] = zshKeys{line: tt.line}
	}
	results := b.tab(t, "fpath", keys...)
	for i, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got := results[i]
			if !reflect.DeepEqual(got.matches, tt.want) || got.buffer != tt.buffer {
				t.Errorf("candidates %q, line %q; want %q, %q", got.matches, got.buffer, tt.want, tt.buffer)
			}
		})
	}
}

// TestZshScriptAsPlugin: as a kubectl plugin the script is registered for
// the kubectl-initwatch command.
func TestZshScriptAsPlugin(t *testing.T) {
	b := newZshBench(t, "kubectl-initwatch")
	got := b.tab(t, "source", zshKeys{line: "kubectl-initwatch --context d"})[0]
	if !reflect.DeepEqual(got.matches, []string{"dev"}) || got.buffer != "kubectl-initwatch --context dev " {
		t.Errorf("candidates %q, line %q; want [dev], %q", got.matches, got.buffer, "kubectl-initwatch --context dev ")
	}
}

// TestZshScriptWithoutCompinit: sourced before compinit, the script says
// what to do on one line instead of failing on the missing compdef.
func TestZshScriptWithoutCompinit(t *testing.T) {
	zsh := needShell(t, "zsh")
	_, script := installFakeProgram(t, "zsh", "initwatch")
	out, err := exec.Command(zsh, "-f", "-c", "source "+script).CombinedOutput()
	want := "initwatch completion: run 'autoload -U compinit && compinit' before loading this script\n"
	if err != nil || string(out) != want {
		t.Errorf("source without compinit: %v, output %q; want %q", err, out, want)
	}
}

// failingProgram puts a prog on a fresh PATH entry that fails whatever it
// is asked, as an older initwatch without __complete would.
func failingProgram(t *testing.T, prog string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, prog), []byte("#!/bin/sh\necho 'unknown command' >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir + string(os.PathListSeparator) + os.Getenv("PATH")
}

// TestZshScriptProgramFails: when the program cannot answer, TAB offers
// nothing, neither an error on the line nor file names.
func TestZshScriptProgramFails(t *testing.T) {
	b := newZshBench(t, "initwatch")
	b.pathEnv = failingProgram(t, "initwatch")
	got := b.tab(t, "source", zshKeys{line: "initwatch x"})[0]
	if got.matches != nil || got.buffer != "initwatch x" {
		t.Errorf("candidates %q, line %q; want none, %q", got.matches, got.buffer, "initwatch x")
	}
}
