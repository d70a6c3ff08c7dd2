package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/themes"
)

// maxFileSize bounds what is read: a config file is a few hundred bytes, and
// anything far larger is the wrong file.
const maxFileSize = 1 << 20

// Error is a problem in the config file, at a line when one is known.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config %s:%d: %s", display(e.Path), e.Line, e.Msg)
	}
	return fmt.Sprintf("config %s: %s", display(e.Path), e.Msg)
}

// fileFields are the top-level fields, in the order docs list them.
var fileFields = []string{"theme", "namespaces", "logs", "keys", "clusters"}

var logFields = []string{"tail", "buffer"}

// readInto applies the file at loc over s. A missing file is fine unless
// the user named it with $INITWATCH_CONFIG.
func readInto(s *Settings, loc Location) error {
	if !loc.Exists {
		if loc.Via == "$"+EnvConfig {
			return &Error{Path: loc.Path, Msg: "no such file (named by $" + EnvConfig + ")"}
		}
		return nil
	}
	data, err := readFile(loc.Path)
	if err != nil {
		return err
	}
	return decode(s, loc.Path, data)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: path, Msg: unwrapPath(err).Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, &Error{Path: path, Msg: unwrapPath(err).Error()}
	}
	if len(data) > maxFileSize {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("larger than %d bytes; is this the right file?", maxFileSize)}
	}
	return data, nil
}

// yamlLine pulls the line out of the YAML parser's messages ("yaml: line 3:
// did not find expected key") so every error has the same shape.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// decode walks the YAML node tree rather than unmarshalling into a struct:
// only the node tree keeps the line of every key and value, and walking it
// lets each message say what was expected in the user's terms.
func decode(s *Settings, path string, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty file: all defaults
		}
		return parseError(path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return &Error{Path: path, Line: extra.Line, Msg: "a second YAML document; the config file holds one"}
	} else if !errors.Is(err, io.EOF) {
		return parseError(path, err)
	}
	d := decoder{path: path, s: s}
	return d.document(&doc)
}

func parseError(path string, err error) error {
	msg := oneLine(err.Error())
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Path: path, Line: line, Msg: m[2]}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if strings.Contains(msg, "UTF-8") || strings.Contains(msg, "UTF-16") {
		msg += " (the file must be UTF-8 text)"
	}
	return &Error{Path: path, Msg: msg}
}

type decoder struct {
	path string
	s    *Settings
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) error {
	return &Error{Path: d.path, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) document(doc *yaml.Node) error {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	root = deref(root)
	if isNull(root) {
		return nil // only comments, or "~"
	}
	fields, err := d.mapping(root, "the config file", fileFields)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if isNull(f.value) {
			continue // "theme:" with no value keeps the default
		}
		var err error
		switch f.name {
		case "theme":
			err = d.theme(f)
		case "namespaces":
			err = d.namespaces(f)
		case "logs":
			err = d.logs(f)
		case "keys":
			err = d.keys(f)
		case "clusters":
			err = d.clusters(f)
		}
		if err != nil {
			return err
		}
	}
	if d.s.LogTail > d.s.LogBuffer {
		return &Error{Path: d.path, Line: d.s.Origins["logs.tail"].Line,
			Msg: fmt.Sprintf("logs.tail (%d) is larger than logs.buffer (%d)", d.s.LogTail, d.s.LogBuffer)}
	}
	return nil
}

type field struct {
	name  string
	key   *yaml.Node
	value *yaml.Node
}

// mapping returns the fields of a mapping node, rejecting names not in
// known (when known is non-nil) and duplicates, which YAML parsers disagree
// about and which always hide one of the two values.
func (d *decoder) mapping(n *yaml.Node, what string, known []string) ([]field, error) {
	if n.Kind != yaml.MappingNode {
		return nil, d.errorf(n, "%s must be a mapping of names to values, not %s", what, describe(n))
	}
	seen := map[string]int{}
	fields := make([]field, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, d.errorf(k, "in %s: a key must be a plain name, not %s", what, describe(k))
		}
		if known != nil && !slices.Contains(known, k.Value) {
			return nil, d.errorf(k, "unknown field %q in %s (known: %s)%s", k.Value, what, strings.Join(known, ", "), didYouMean(k.Value, known))
		}
		if line, dup := seen[k.Value]; dup {
			return nil, d.errorf(k, "%q is set twice in %s (first on line %d)", k.Value, what, line)
		}
		seen[k.Value] = k.Line
		fields = append(fields, field{name: k.Value, key: k, value: v})
	}
	return fields, nil
}

func (d *decoder) str(f field, what string) (string, error) {
	if f.value.Kind != yaml.ScalarNode || f.value.Tag != "!!str" {
		return "", d.errorf(f.value, "%s must be a string, not %s", what, describe(f.value))
	}
	return f.value.Value, nil
}

func (d *decoder) integer(f field, what string) (int, error) {
	if f.value.Kind != yaml.ScalarNode || f.value.Tag != "!!int" {
		return 0, d.errorf(f.value, "%s must be a whole number, not %s", what, describe(f.value))
	}
	var v int
	if err := f.value.Decode(&v); err != nil {
		return 0, d.errorf(f.value, "%s: %q is not a whole number that fits", what, f.value.Value)
	}
	return v, nil
}

func (d *decoder) theme(f field) error {
	name, err := d.str(f, "theme")
	if err != nil {
		return err
	}
	if err := checkTheme(name); err != nil {
		return d.errorf(f.value, "theme: %v", err)
	}
	d.s.Theme = name
	d.s.Origins["theme"] = Origin{Kind: "file", Line: f.value.Line}
	return nil
}

func (d *decoder) namespaces(f field) error {
	items := []*yaml.Node{f.value}
	switch f.value.Kind {
	case yaml.ScalarNode:
	case yaml.SequenceNode:
		items = f.value.Content
	default:
		return d.errorf(f.value, `namespaces must be "all", a namespace or a list of namespaces, not %s`, describe(f.value))
	}
	names := make([]string, 0, len(items))
	for _, item := range items {
		item = deref(item)
		name, err := d.str(field{value: item}, "a namespace")
		if err != nil {
			return err
		}
		// Checked one by one so the message points at the bad item's line.
		if _, err := parseScope([]string{name}); err != nil {
			return d.errorf(item, "namespaces: %v", err)
		}
		names = append(names, name)
	}
	scope, err := parseScope(names)
	if err != nil {
		return d.errorf(f.value, "namespaces: %v", err)
	}
	d.s.Scope = scope
	d.s.Origins["scope"] = Origin{Kind: "file", Line: f.value.Line}
	return nil
}

func (d *decoder) logs(f field) error {
	fields, err := d.mapping(f.value, "logs", logFields)
	if err != nil {
		return err
	}
	for _, lf := range fields {
		if isNull(lf.value) {
			continue
		}
		v, err := d.integer(lf, "logs."+lf.name)
		if err != nil {
			return err
		}
		switch lf.name {
		case "tail":
			if v < 0 {
				return d.errorf(lf.value, "logs.tail must be 0 or more, not %d", v)
			}
			d.s.LogTail = v
		case "buffer":
			if v < 1 || v > MaxLogBuffer {
				return d.errorf(lf.value, "logs.buffer must be between 1 and %d lines, not %d", MaxLogBuffer, v)
			}
			d.s.LogBuffer = v
		}
		d.s.Origins["logs."+lf.name] = Origin{Kind: "file", Line: lf.value.Line}
	}
	return nil
}

// clusters reads the named sets of contexts. Each set is a non-empty list of
// distinct context names; whether the kubeconfig has them is checked when a
// set is used, since the kubeconfig may differ from run to run.
func (d *decoder) clusters(f field) error {
	fields, err := d.mapping(f.value, "clusters", nil)
	if err != nil {
		return err
	}
	sets := make(map[string][]string, len(fields))
	for _, cf := range fields {
		what := fmt.Sprintf("clusters.%s", cf.name)
		if strings.TrimSpace(cf.name) == "" {
			return d.errorf(cf.key, "clusters: a set needs a name")
		}
		if cf.value.Kind != yaml.SequenceNode {
			return d.errorf(cf.value, "%s must be a list of kubeconfig contexts, not %s", what, describe(cf.value))
		}
		if len(cf.value.Content) == 0 {
			return d.errorf(cf.value, "%s is empty: name at least one kubeconfig context", what)
		}
		var names []string
		for _, item := range cf.value.Content {
			item = deref(item)
			name, err := d.str(field{value: item}, "a context in "+what)
			if err != nil {
				return err
			}
			name = strings.TrimSpace(name)
			if name == "" {
				return d.errorf(item, "%s: empty context name", what)
			}
			if slices.Contains(names, name) {
				return d.errorf(item, "%s names context %q twice", what, name)
			}
			names = append(names, name)
		}
		sets[cf.name] = names
		d.s.Origins["clusters."+cf.name] = Origin{Kind: "file", Line: cf.value.Line}
	}
	d.s.Clusters = sets
	return nil
}

func (d *decoder) keys(f field) error {
	// Unknown binding names are reported against the real keymap's list,
	// so the file can never name a binding the program does not have.
	km := keymap.Default()
	known := km.Names()
	fields, err := d.mapping(f.value, "keys", nil)
	if err != nil {
		return err
	}
	overrides := make(map[string][]string, len(fields))
	for _, kf := range fields {
		if !slices.Contains(known, kf.name) {
			return d.errorf(kf.key, "unknown key binding %q (`initwatch config view` lists them)%s", kf.name, didYouMean(kf.name, known))
		}
		var keys []string
		switch kf.value.Kind {
		case yaml.ScalarNode:
			k, err := d.str(kf, "keys."+kf.name)
			if err != nil {
				return err
			}
			keys = []string{k}
		case yaml.SequenceNode:
			for _, item := range kf.value.Content {
				k, err := d.str(field{value: deref(item)}, "each key of keys."+kf.name)
				if err != nil {
					return err
				}
				keys = append(keys, k)
			}
		default:
			return d.errorf(kf.value, "keys.%s must be a key or a list of keys, not %s", kf.name, describe(kf.value))
		}
		if len(keys) == 0 {
			return d.errorf(kf.value, "keys.%s: no keys given", kf.name)
		}
		for _, k := range keys {
			if err := checkKey(k); err != nil {
				return d.errorf(kf.value, "keys.%s: %v", kf.name, err)
			}
		}
		overrides[kf.name] = keys
		d.s.Origins["keys."+kf.name] = Origin{Kind: "file", Line: kf.key.Line}
	}
	if err := km.Override(overrides); err != nil {
		return d.errorf(f.value, "keys: %v", err)
	}
	if len(overrides) > 0 {
		d.s.Keys = overrides
	}
	return nil
}

// checkKey rejects what no terminal key press can produce. Key names
// themselves ("ctrl+f", "pgdown", "x") are Bubble Tea's and open-ended.
func checkKey(k string) error {
	if k == "" {
		return errors.New("an empty key")
	}
	for _, r := range k {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("key %q holds a control character; write it by name (e.g. \"ctrl+a\", \"enter\")", k)
		}
	}
	return nil
}

func checkTheme(name string) error {
	if !slices.Contains(themes.Names(), strings.ToLower(name)) {
		return fmt.Errorf("unknown theme %q (choose one of %s)", name, strings.Join(themes.Names(), ", "))
	}
	return nil
}

// parseScope turns ["all"] or a list of namespace names into a Scope.
func parseScope(names []string) (Scope, error) {
	if len(names) == 0 {
		return Scope{}, errors.New(`an empty list; write "all" for every namespace`)
	}
	if len(names) == 1 && names[0] == "all" {
		return Scope{All: true}, nil
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n == "all" {
			return Scope{}, errors.New(`"all" cannot be combined with namespace names`)
		}
		if errs := validation.IsDNS1123Label(n); len(errs) > 0 {
			return Scope{}, fmt.Errorf("%q is not a namespace name (lowercase letters, digits and '-', at most 63)", n)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return Scope{Namespaces: out}, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names a node's kind the way a user would.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int", "!!float":
			return fmt.Sprintf("the number %q", n.Value)
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}
