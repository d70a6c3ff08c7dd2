package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/initwatch/initwatch/buildinfo"
	"github.com/initwatch/initwatch/completion"
	"github.com/initwatch/initwatch/config"
	"github.com/initwatch/initwatch/kube"
)

// runMain runs Main with a controlled environment and returns exit code,
// stdout and stderr.
func runMain(t *testing.T, env *Env, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env.Stdout, env.Stderr = &stdout, &stderr
	if env.LookupEnv == nil {
		env.LookupEnv = mapEnv{"HOME": t.TempDir()}.lookup
	}
	code := Main(context.Background(), args, env)
	return code, stdout.String(), stderr.String()
}

type mapEnv map[string]string

func (m mapEnv) lookup(k string) (string, bool) {
	v, ok := m[k]
	return v, ok
}

// TestVersionCommand checks the command's forms and formats. What the
// fields hold is buildinfo's (tested there); that the real binary reports
// the client-go of go.mod is checked end to end (e2e TestKubectlPlugin),
// since test binaries carry no dependency list.
func TestVersionCommand(t *testing.T) {
	want := buildinfo.Get()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runMain(t, &Env{}, args...)
		if code != ExitOK || errOut != "" || out != want.String() {
			t.Errorf("%v: exit %d, stderr %q, stdout\n%s\nwant\n%s", args, code, errOut, out, want)
		}
		if !strings.Contains(out, "Go:        "+runtime.Version()+"\n") {
			t.Errorf("%v output lacks the Go version:\n%s", args, out)
		}
	}
	for _, args := range [][]string{{"version", "-o", "json"}, {"--version", "-o", "json"}} {
		code, out, _ := runMain(t, &Env{}, args...)
		var info buildinfo.Info
		if err := json.Unmarshal([]byte(out), &info); code != ExitOK || err != nil {
			t.Fatalf("%v: exit %d, %v:\n%s", args, code, err, out)
		}
		if info != want {
			t.Errorf("%v = %#v, want %#v", args, info, want)
		}
	}
	code, _, errOut := runMain(t, &Env{}, "version", "-o", "yaml")
	if code != ExitUsage || errOut != "error: unknown output format \"yaml\": use -o json, or no -o for text\nSee 'initwatch version --help'.\n" {
		t.Errorf("version -o yaml: exit %d, stderr %q", code, errOut)
	}
}

// TestPluginName: run as kubectl-initwatch, every help page and hint spells
// the command `kubectl initwatch`, and none shows a bare `initwatch` command
// line.
func TestPluginName(t *testing.T) {
	bare := regexp.MustCompile(`(?m)^\s+initwatch\b`)
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"get", "--help"}, {"help", "get"}, {"version", "--help"},
		{"completion", "--help"}, {"config", "--help"},
	} {
		env := &Env{Name: buildinfo.CommandName("/home/me/.krew/bin/kubectl-initwatch")}
		code, out, errOut := runMain(t, env, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d, %s", args, code, errOut)
		}
		if !strings.Contains(out, "  kubectl initwatch ") {
			t.Errorf("%v help does not show `kubectl initwatch`:\n%s", args, out)
		}
		if bare.MatchString(out) {
			t.Errorf("%v help shows a bare `initwatch` command line:\n%s", args, out)
		}
	}
	hints := map[string][]string{
		"See 'kubectl initwatch --help'.":            {"bogus"},
		"See 'kubectl initwatch get --help'.":        {"get", "-o", "yaml"},
		"See 'kubectl initwatch version --help'.":    {"version", "extra"},
		"See 'kubectl initwatch completion --help'.": {"completion"},
		"See 'kubectl initwatch config --help'.":     {"config", "nope"},
	}
	for hint, args := range hints {
		code, _, errOut := runMain(t, &Env{Name: "kubectl initwatch"}, args...)
		if code != ExitUsage || !strings.HasSuffix(errOut, hint+"\n") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 ending %q", args, code, errOut, hint)
		}
	}
}

func TestConfigCommand(t *testing.T) {
	fixtures, err := filepath.Abs("../testdata/config")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	tests := []struct {
		name string
		env  mapEnv
		args []string
		code int
		out  string // exact, or a prefix when it ends in "..."
		err  string
	}{
		{"path, not found", mapEnv{"HOME": home}, []string{"config", "path"}, ExitOK,
			filepath.Join(home, ".config/initwatch/config.yaml") + " (not found: built-in defaults apply; chosen by home)\n", ""},
		{"path, named", mapEnv{"HOME": home, "INITWATCH_CONFIG": filepath.Join(fixtures, "full.yaml")}, []string{"config", "path"}, ExitOK,
			filepath.Join(fixtures, "full.yaml") + " (exists; chosen by $INITWATCH_CONFIG)\n", ""},
		{"path as json", mapEnv{"XDG_CONFIG_HOME": fixtures}, []string{"config", "path", "-o", "json"}, ExitOK,
			"{\n  \"path\": \"" + filepath.Join(fixtures, "initwatch/config.yaml") + "\",\n  \"via\": \"$XDG_CONFIG_HOME\",\n  \"exists\": false\n}\n", ""},
		{"view", mapEnv{"INITWATCH_CONFIG": filepath.Join(fixtures, "theme-only.yaml"), "INITWATCH_LOG_TAIL": "42"}, []string{"config", "view"}, ExitOK,
			"# config file: " + filepath.Join(fixtures, "theme-only.yaml") + " (read)\n" +
				"theme: \"high-contrast\"         # file, line 1\n" +
				"namespaces: all                # default\n" +
				"logs:\n" +
				"  tail: 42                     # env INITWATCH_LOG_TAIL\n...", ""},
		{"view of a bad file", mapEnv{"INITWATCH_CONFIG": filepath.Join(fixtures, "tail-negative.yaml")}, []string{"config", "view"}, ExitError, "",
			"error: config " + filepath.Join(fixtures, "tail-negative.yaml") + ":2: logs.tail must be 0 or more, not -5\n"},
		{"no subcommand", mapEnv{"HOME": home}, []string{"config"}, ExitUsage, "",
			"error: initwatch config takes one of: path, view\nSee 'initwatch config --help'.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMain(t, &Env{LookupEnv: tt.env.lookup}, tt.args...)
			if code != tt.code || errOut != tt.err {
				t.Fatalf("exit %d, stderr %q; want %d, %q", code, errOut, tt.code, tt.err)
			}
			if prefix, ok := strings.CutSuffix(tt.out, "..."); ok {
				if !strings.HasPrefix(out, prefix) {
					t.Errorf("stdout =\n%s\nwant it to start with\n%s", out, prefix)
				}
			} else if out != tt.out {
				t.Errorf("stdout =\n%q\nwant\n%q", out, tt.out)
			}
		})
	}
}

// TestGetScopeFromConfig: the config file's namespaces narrow `get` when
// neither -n nor -A is given; flags win; the environment sits between.
func TestGetScopeFromConfig(t *testing.T) {
	kubeconfig, err := filepath.Abs("../testdata/completion/kubeconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	full, err := filepath.Abs("../testdata/config/full.yaml") // namespaces: [team-b, team-a]
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  mapEnv
		args []string
		want []string // nil: all namespaces
	}{
		{"file", mapEnv{"INITWATCH_CONFIG": full}, nil, []string{"team-a", "team-b"}},
		{"env over file", mapEnv{"INITWATCH_CONFIG": full, "INITWATCH_NAMESPACE": "ops"}, nil, []string{"ops"}},
		{"env all over file", mapEnv{"INITWATCH_CONFIG": full, "INITWATCH_NAMESPACE": "all"}, nil, nil},
		{"-n over env and file", mapEnv{"INITWATCH_CONFIG": full, "INITWATCH_NAMESPACE": "ops"}, []string{"-n", "shop"}, []string{"shop"}},
		{"-A over file", mapEnv{"INITWATCH_CONFIG": full}, []string{"-A"}, nil},
		{"no file: all namespaces", mapEnv{"HOME": t.TempDir()}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *kube.Options
			env := &Env{
				LookupEnv: tt.env.lookup,
				NewSource: func(_ *kube.ConfigFlags, opts kube.Options) (kube.PodSource, error) {
					got = &opts
					return nil, errStopHere
				},
			}
			args := append([]string{"get", "--kubeconfig", kubeconfig}, tt.args...)
			code, _, errOut := runMain(t, env, args...)
			if got == nil {
				t.Fatalf("get never built a source: exit %d, %s", code, errOut)
			}
			if !reflect.DeepEqual(got.Namespaces, tt.want) {
				t.Errorf("namespaces = %q, want %q", got.Namespaces, tt.want)
			}
		})
	}

	// A bad file stops get before it touches the cluster.
	env := &Env{LookupEnv: mapEnv{"INITWATCH_CONFIG": full + ".missing"}.lookup,
		NewSource: func(*kube.ConfigFlags, kube.Options) (kube.PodSource, error) {
			t.Error("get built a source despite a bad config")
			return nil, errStopHere
		}}
	code, _, errOut := runMain(t, env, "get", "--kubeconfig", kubeconfig)
	if code != ExitError || errOut != "error: config "+full+".missing: no such file (named by $INITWATCH_CONFIG)\n" {
		t.Errorf("bad config: exit %d, stderr %q", code, errOut)
	}
}

var errStopHere = &stopHere{}

type stopHere struct{}

func (*stopHere) Error() string { return "stop here" }

func TestCompletionCommand(t *testing.T) {
	for _, tt := range []struct{ name, prog string }{{"initwatch", "initwatch"}, {"kubectl initwatch", "kubectl-initwatch"}} {
		for _, shell := range completion.Shells {
			code, out, errOut := runMain(t, &Env{Name: tt.name}, "completion", shell)
			want, err := completion.Script(shell, tt.prog)
			if err != nil {
				t.Fatal(err)
			}
			if code != ExitOK || out != want {
				t.Errorf("%s completion %s: exit %d, %s; script differs from completion.Script(%q)", tt.name, shell, code, errOut, tt.prog)
			}
		}
	}
	code, _, errOut := runMain(t, &Env{}, "completion", "powershell")
	if code != ExitUsage || errOut != "error: unsupported shell \"powershell\" (choose one of bash, zsh, fish)\nSee 'initwatch completion --help'.\n" {
		t.Errorf("completion powershell: exit %d, stderr %q", code, errOut)
	}
}

// TestComplete drives the hidden __complete command the scripts call, with
// initwatch's real commands and flags.
func TestComplete(t *testing.T) {
	kubeconfig, err := filepath.Abs("../testdata/completion/kubeconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		words []string
		want  string
	}{
		{"commands", []string{""}, "get\tPrint pods and their init progress as a table (or JSON), once or as a stream\n" +
			"rollouts\tSummarise rollouts: workloads, revisions, the init step funnel and failure signatures\n" +
			"wait\tWait for pods or a rollout; stop early with a diagnosis when init containers fail (for CI)\n" +
			"version\tPrint the version, commit, build date, Go and client-go versions\n" +
			"completion\tPrint a shell completion script (bash, zsh, fish)\n" +
			"config\tShow where the config file is read from (path), or the settings in effect (view)\n" +
			"help\tShow help for a command\n:4\n"},
		{"get flags", []string{"get", "--no-h"}, "--no-headers\tDo not print the table header\n:4\n"},
		{"wait flags", []string{"wait", "--max-r"}, "--max-restarts\tStop when a container (init containers included) restarted more than this many times; -1 never stops for restarts\n:4\n"},
		{"root --version", []string{"--vers"}, "--version\tPrint the version and exit (like the version command)\n:4\n"},
		{"output values", []string{"get", "-o", ""}, "json\n:4\n"},
		{"contexts from --kubeconfig", []string{"get", "--kubeconfig", kubeconfig, "--context", ""},
			"arn:aws:eks:eu-west-1:123456789012:cluster/shop\tcluster eks-shop\n" +
				"dev\tcluster dev, namespace team-a (current)\n" +
				"prod\tcluster dev\n:4\n"},
		{"contexts with =", []string{"--kubeconfig=" + kubeconfig, "--context=ar"},
			"--context=arn:aws:eks:eu-west-1:123456789012:cluster/shop\tcluster eks-shop\n:4\n"},
		// The shell leaves "~" for the command to see; HOME is the
		// kubeconfig's directory here.
		{"contexts from --kubeconfig ~/", []string{"--kubeconfig", "~/kubeconfig.yaml", "--context", "p"},
			"prod\tcluster dev\n:4\n"},
		{"contexts from --kubeconfig=~/", []string{"--kubeconfig=~/kubeconfig.yaml", "--context=d"},
			"--context=dev\tcluster dev, namespace team-a (current)\n:4\n"},
		// Several contexts: the item after the last comma, prefixed with
		// what comes before it, leaving out the contexts already named.
		{"contexts after a comma", []string{"get", "--kubeconfig", kubeconfig, "--context", "dev,"},
			"dev,arn:aws:eks:eu-west-1:123456789012:cluster/shop\tcluster eks-shop\n" +
				"dev,prod\tcluster dev\n:4\n"},
		{"contexts after a comma, with =", []string{"--kubeconfig=" + kubeconfig, "--context=prod,d"},
			"--context=prod,dev\tcluster dev, namespace team-a (current)\n:4\n"},
		{"contexts after two commas", []string{"rollouts", "--kubeconfig", kubeconfig, "--context", "prod,dev,"},
			"prod,dev,arn:aws:eks:eu-west-1:123456789012:cluster/shop\tcluster eks-shop\n:4\n"},
		{"every context listed", []string{"--kubeconfig", kubeconfig, "--context", "prod,dev,arn:aws:eks:eu-west-1:123456789012:cluster/shop,"}, ":4\n"},
		{"contexts of an earlier --context left out", []string{"--kubeconfig", kubeconfig, "--context", "prod", "--context", ""},
			"arn:aws:eks:eu-west-1:123456789012:cluster/shop\tcluster eks-shop\n" +
				"dev\tcluster dev, namespace team-a (current)\n:4\n"},
		{"--context offered again", []string{"--context", "prod", "--conte"},
			"--context\tThe kubeconfig context(s) to use; several (comma-separated or repeated) are watched together\n:4\n"},
		{"clusters", []string{"--kubeconfig", kubeconfig, "--cluster", ""}, "dev\thttps://127.0.0.1:1\neks-shop\thttps://127.0.0.1:1\n:4\n"},
		{"users", []string{"--kubeconfig", kubeconfig, "--user", "e"}, "eks-user\n:4\n"},
		// Nothing listens on the kubeconfig's server: nothing, no error.
		{"namespaces, unreachable cluster", []string{"get", "--kubeconfig", kubeconfig, "-n", ""}, ":4\n"},
		{"no kubeconfig: no contexts", []string{"--kubeconfig", kubeconfig + ".missing", "--context", ""}, ":4\n"},
		{"kubeconfig wants files", []string{"--kubeconfig", ""}, ":0\n"},
		{"config subcommands", []string{"config", ""}, "path\nview\n:4\n"},
		{"completion shells", []string{"completion", "f"}, "fish\n:4\n"},
		{"help topics", []string{"help", "c"}, "completion\nconfig\n:4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &Env{LookupEnv: mapEnv{"HOME": filepath.Dir(kubeconfig)}.lookup}
			code, out, errOut := runMain(t, env, append([]string{"__complete"}, tt.words...)...)
			if code != ExitOK || errOut != "" || out != tt.want {
				t.Errorf("__complete %q: exit %d, stderr %q, stdout\n%q\nwant\n%q", tt.words, code, errOut, out, tt.want)
			}
		})
	}
}

// TestConfigExamplesLoad: the example config files shown in `initwatch
// config --help` and in the README are valid config files.
func TestConfigExamplesLoad(t *testing.T) {
	help := configUsage("initwatch", newFlagSet("config"))
	_, rest, ok := strings.Cut(help, "Example:\n\n")
	example, _, ok2 := strings.Cut(rest, "\n\n")
	if !ok || !ok2 {
		t.Fatalf("config help has no example block:\n%s", help)
	}
	var lines []string
	for _, l := range strings.Split(example, "\n") {
		lines = append(lines, strings.TrimPrefix(l, "  "))
	}
	examples := map[string]string{"config --help": strings.Join(lines, "\n") + "\n"}

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "## Configuration")
	_, block, ok := strings.Cut(section, "```yaml\n")
	block, _, ok2 = strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("README has no yaml block under ## Configuration")
	}
	examples["README"] = block

	for name, text := range examples {
		p := filepath.Join(t.TempDir(), "config.yaml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := config.Load(mapEnv{"INITWATCH_CONFIG": p}.lookup, config.Flags{})
		if err != nil {
			t.Errorf("%s example: %v\n%s", name, err, text)
			continue
		}
		if s.Theme != "dark" || len(s.Keys) == 0 || s.Scope.All {
			t.Errorf("%s example did not set theme, scope and keys: %+v", name, s)
		}
	}
}

// TestCompleteClusterSets: --clusters offers the config file's named sets
// of contexts, described by their contexts; a config file that does not
// load offers nothing and prints no error.
func TestCompleteClusterSets(t *testing.T) {
	sets, err := filepath.Abs("../testdata/completion/clusters.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(broken, []byte("clusters: [not, a, map]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, config string
		words        []string
		want         string
	}{
		{"every set", sets, []string{"get", "--clusters", ""}, "prod\teu-1, us-1, ap-1\nstaging\teu-staging\n:4\n"},
		{"by prefix, with =", sets, []string{"--clusters=st"}, "--clusters=staging\teu-staging\n:4\n"},
		{"a config file that does not load", broken, []string{"rollouts", "--clusters", ""}, ":4\n"},
		{"no config file", filepath.Join(t.TempDir(), "absent.yaml"), []string{"wait", "--clusters", ""}, ":4\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &Env{LookupEnv: mapEnv{"HOME": t.TempDir(), "INITWATCH_CONFIG": tt.config}.lookup}
			code, out, errOut := runMain(t, env, append([]string{"__complete"}, tt.words...)...)
			if code != ExitOK || errOut != "" || out != tt.want {
				t.Errorf("__complete %q: exit %d, stderr %q, stdout\n%q\nwant\n%q", tt.words, code, errOut, out, tt.want)
			}
		})
	}
}

// TestTUIOwnersBenchSwitch: the terminal UI watches owners (the rollouts
// view needs them) unless the benchmark switch turns them off.
func TestTUIOwnersBenchSwitch(t *testing.T) {
	kubeconfig, err := filepath.Abs("../testdata/completion/kubeconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	for _, tt := range []struct {
		name       string
		env        mapEnv
		wantOwners bool
	}{
		{"default", mapEnv{"HOME": home}, true},
		{"switch on", mapEnv{"HOME": home, benchNoOwnersEnv: "1"}, false},
		{"other value", mapEnv{"HOME": home, benchNoOwnersEnv: "yes"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got *kube.Options
			env := &Env{
				LookupEnv: tt.env.lookup,
				NewSource: func(_ *kube.ConfigFlags, opts kube.Options) (kube.PodSource, error) {
					got = &opts
					return nil, errStopHere
				},
			}
			code, _, errOut := runMain(t, env, "--kubeconfig", kubeconfig, "-A")
			if got == nil {
				t.Fatalf("the TUI never built a source: exit %d, %s", code, errOut)
			}
			if got.WithOwners != tt.wantOwners || !got.FocusedEvents {
				t.Errorf("WithOwners = %v (want %v), FocusedEvents = %v (want true)", got.WithOwners, tt.wantOwners, got.FocusedEvents)
			}
		})
	}
}
