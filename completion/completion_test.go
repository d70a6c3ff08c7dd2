package completion

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// testCompleter is a small command tree shaped like initwatch's, with
// canned value completers, so the engine is tested apart from the CLI.
func testCompleter() *Completer {
	conn := func(fs *pflag.FlagSet) {
		fs.String("kubeconfig", "", "Path to the kubeconfig file")
		fs.StringSliceP("namespace", "n", nil, "Namespaces to watch")
		fs.BoolP("all-namespaces", "A", false, "All namespaces")
		fs.String("context", "", "Kubeconfig context")
		fs.StringP("selector", "l", "", "Label selector")
		fs.String("old", "", "Deprecated thing")
		_ = fs.MarkDeprecated("old", "use --new")
		fs.String("secret", "", "Hidden thing")
		_ = fs.MarkHidden("secret")
	}
	root := &Command{
		Name: "initwatch",
		Flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("initwatch", pflag.ContinueOnError)
			conn(fs)
			fs.String("theme", "", "Colour theme")
			fs.BoolP("help", "h", false, "Show help")
			return fs
		},
	}
	get := &Command{
		Name: "get", Summary: "Print pods as a table",
		Flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("get", pflag.ContinueOnError)
			conn(fs)
			fs.StringP("output", "o", "", "Output format\nsecond line")
			fs.BoolP("watch", "w", false, "Stream changes")
			fs.Var(&namesValue{}, "zone", "Zones, comma-separated or repeated")
			return fs
		},
	}
	comp := &Command{
		Name: "completion", Summary: "Print a shell completion script",
		Args: func(_ context.Context, _ Request, positional []string) ([]Candidate, Directive) {
			if len(positional) > 0 {
				return nil, DirectiveNoFileComp
			}
			return []Candidate{{"bash", ""}, {"zsh", ""}, {"fish", ""}}, DirectiveNoFileComp
		},
	}
	hidden := &Command{Name: "__complete", Hidden: true}
	root.Subcommands = []*Command{get, comp, hidden}
	return &Completer{
		Root: root,
		Values: map[string]Func{
			"context": func(context.Context, Request) ([]Candidate, Directive) {
				return []Candidate{{"dev", "cluster dev"}, {"prod", "cluster prod"},
					{"arn:aws:eks:eu-west-1:123:cluster/shop", ""}, {"evil\x1b[2J", ""}}, DirectiveNoFileComp
			},
			// Namespaces depend on the --context typed earlier, as the
			// real completer's do.
			"namespace": func(_ context.Context, req Request) ([]Candidate, Directive) {
				ctxName, _ := req.Flags.GetString("context")
				if ctxName == "prod" {
					return []Candidate{{"default", ""}, {"payments", ""}, {"shipping", ""}}, DirectiveNoFileComp
				}
				return []Candidate{{"default", ""}, {"dev-a", ""}, {"dev-b", ""}}, DirectiveNoFileComp
			},
			"zone": func(context.Context, Request) ([]Candidate, Directive) {
				return []Candidate{{"eu", "Europe"}, {"us", ""}, {"ap", ""}}, DirectiveNoFileComp
			},
			"theme": func(context.Context, Request) ([]Candidate, Directive) {
				return []Candidate{{"dark", ""}, {"light", "for light\tterminals"}}, DirectiveNoFileComp
			},
			"output": func(context.Context, Request) ([]Candidate, Directive) {
				return []Candidate{{"json", "the model"}}, DirectiveNoFileComp
			},
		},
		FileFlags: []string{"kubeconfig"},
	}
}

// namesValue is a list flag whose type name does not say so (initwatch's
// --context reads "strings" in help, as kubectl's): completion knows it
// for a list by its pflag.SliceValue methods.
type namesValue struct{ names []string }

func (v *namesValue) String() string { return strings.Join(v.names, ",") }
func (v *namesValue) Type() string   { return "strings" }
func (v *namesValue) Set(s string) error {
	v.names = append(v.names, strings.Split(s, ",")...)
	return nil
}
func (v *namesValue) Append(s string) error { v.names = append(v.names, s); return nil }
func (v *namesValue) Replace(names []string) error {
	v.names = names
	return nil
}
func (v *namesValue) GetSlice() []string { return v.names }

func values(cands []Candidate) []string {
	out := []string{}
	for _, c := range cands {
		out = append(out, c.Value)
	}
	return out
}

func TestComplete(t *testing.T) {
	tests := []struct {
		name  string
		words []string
		want  []string
		dir   Directive
	}{
		{"subcommands at the start", []string{""}, []string{"get", "completion"}, DirectiveNoFileComp},
		{"subcommand prefix", []string{"co"}, []string{"completion"}, DirectiveNoFileComp},
		{"no words at all", nil, []string{"get", "completion"}, DirectiveNoFileComp},
		{"hidden command not offered", []string{"__"}, []string{}, DirectiveNoFileComp},
		{"no subcommand after a flag", []string{"-A", ""}, []string{}, DirectiveNoFileComp},
		{"root long flags", []string{"--"}, []string{"--all-namespaces", "--context", "--help", "--kubeconfig", "--namespace", "--selector", "--theme"}, DirectiveNoFileComp},
		{"root flags with shorthands", []string{"-"}, []string{"--all-namespaces", "-A", "--context", "--help", "-h", "--kubeconfig", "--namespace", "-n", "--selector", "-l", "--theme"}, DirectiveNoFileComp},
		{"flag prefix", []string{"--th"}, []string{"--theme"}, DirectiveNoFileComp},
		{"a given flag is not offered again", []string{"--theme", "dark", "--t"}, []string{}, DirectiveNoFileComp},
		{"a list flag is offered again", []string{"-n", "a", "--name"}, []string{"--namespace"}, DirectiveNoFileComp},
		{"subcommand flags", []string{"get", "--o"}, []string{"--output"}, DirectiveNoFileComp},
		{"root flags do not leak into get", []string{"get", "--th"}, []string{}, DirectiveNoFileComp},
		{"context value", []string{"--context", ""}, []string{"dev", "prod", "arn:aws:eks:eu-west-1:123:cluster/shop"}, DirectiveNoFileComp},
		{"context value prefix", []string{"get", "--context", "p"}, []string{"prod"}, DirectiveNoFileComp},
		{"context value with colons", []string{"--context", "arn:aws:eks:eu"}, []string{"arn:aws:eks:eu-west-1:123:cluster/shop"}, DirectiveNoFileComp},
		{"context=value", []string{"--context=d"}, []string{"--context=dev"}, DirectiveNoFileComp},
		{"namespace follows the typed context", []string{"--context", "prod", "-n", ""}, []string{"default", "payments", "shipping"}, DirectiveNoFileComp},
		{"namespace follows context=", []string{"get", "--context=prod", "--namespace", "p"}, []string{"payments"}, DirectiveNoFileComp},
		{"namespace list item after a comma", []string{"--context", "prod", "-n", "payments,"}, []string{"payments,default", "payments,shipping"}, DirectiveNoFileComp},
		{"namespace list item prefix", []string{"-n", "default,dev-"}, []string{"default,dev-a", "default,dev-b"}, DirectiveNoFileComp},
		{"namespace given earlier is not offered again", []string{"-n", "default", "-n", ""}, []string{"dev-a", "dev-b"}, DirectiveNoFileComp},
		{"namespaces given earlier and in this word", []string{"-n", "dev-a", "--namespace=default,"}, []string{"--namespace=default,dev-b"}, DirectiveNoFileComp},
		{"slice value: item after a comma", []string{"get", "--zone", "eu,"}, []string{"eu,us", "eu,ap"}, DirectiveNoFileComp},
		{"slice value: item prefix after =", []string{"get", "--zone=us,a"}, []string{"--zone=us,ap"}, DirectiveNoFileComp},
		{"slice value: every item listed", []string{"get", "--zone", "eu,us,ap,"}, []string{}, DirectiveNoFileComp},
		{"slice value: earlier use left out", []string{"get", "--zone", "eu", "--zone", "ap,"}, []string{"ap,us"}, DirectiveNoFileComp},
		{"slice value: first item", []string{"get", "--zone", ""}, []string{"eu", "us", "ap"}, DirectiveNoFileComp},
		{"slice value: flag offered again", []string{"get", "--zone", "eu", "--zo"}, []string{"--zone"}, DirectiveNoFileComp},
		{"combined shorthands leave -n pending", []string{"-An", "dev-"}, []string{"dev-a", "dev-b"}, DirectiveNoFileComp},
		{"attached shorthand value is not pending", []string{"-ndev-a", ""}, []string{}, DirectiveNoFileComp},
		{"theme value", []string{"--theme", ""}, []string{"dark", "light"}, DirectiveNoFileComp},
		{"output value", []string{"get", "-o", ""}, []string{"json"}, DirectiveNoFileComp},
		{"kubeconfig wants files", []string{"--kubeconfig", ""}, []string{}, DirectiveDefault},
		{"kubeconfig= wants files", []string{"--kubeconfig=/tm"}, []string{}, DirectiveDefault},
		{"a value without a completer", []string{"-l", ""}, []string{}, DirectiveNoFileComp},
		{"unknown --flag=", []string{"--nope="}, []string{}, DirectiveNoFileComp},
		{"bool flag takes no value", []string{"get", "-w", ""}, []string{}, DirectiveNoFileComp},
		{"positional args of a subcommand", []string{"completion", ""}, []string{"bash", "zsh", "fish"}, DirectiveNoFileComp},
		{"positional prefix", []string{"completion", "z"}, []string{"zsh"}, DirectiveNoFileComp},
		{"only one positional", []string{"completion", "bash", ""}, []string{}, DirectiveNoFileComp},
		{"a flag value that looks like a subcommand", []string{"--context", "get", "--th"}, []string{"--theme"}, DirectiveNoFileComp},
		{"after -- no flags", []string{"get", "--", "--o"}, []string{}, DirectiveNoFileComp},
	}
	c := testCompleter()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dir := c.Complete(context.Background(), tt.words)
			if !reflect.DeepEqual(values(got), tt.want) || dir != tt.dir {
				t.Errorf("Complete(%q) = %q, %d; want %q, %d", tt.words, values(got), dir, tt.want, tt.dir)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	c := testCompleter()
	var b strings.Builder
	cands, dir := c.Complete(context.Background(), []string{"--theme", ""})
	if err := Write(&b, cands, dir); err != nil {
		t.Fatal(err)
	}
	// The tab inside the description is the protocol's separator: it must
	// not survive inside a description.
	want := "dark\nlight\tfor light terminals\n:4\n"
	if b.String() != want {
		t.Errorf("Write = %q, want %q", b.String(), want)
	}

	b.Reset()
	cands, dir = c.Complete(context.Background(), []string{"get", "--ou"})
	_ = Write(&b, cands, dir)
	if want := "--output\tOutput format\n:4\n"; b.String() != want {
		t.Errorf("Write = %q, want %q (first line of the usage only)", b.String(), want)
	}
}

func TestScript(t *testing.T) {
	for _, shell := range Shells {
		s, err := Script(shell, "kubectl-initwatch")
		if err != nil {
			t.Fatalf("Script(%s): %v", shell, err)
		}
		if strings.Contains(s, "@PROG@") || !strings.Contains(s, "kubectl-initwatch") {
			t.Errorf("%s script not specialised for kubectl-initwatch", shell)
		}
	}
	if _, err := Script("powershell", "initwatch"); err == nil || err.Error() != `unsupported shell "powershell" (choose one of bash, zsh, fish)` {
		t.Errorf("Script(powershell) error = %v", err)
	}
	if _, err := Script("bash", "x; rm -rf ~"); err == nil {
		t.Error("Script accepted a command name that would inject shell code")
	}
}
