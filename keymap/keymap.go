// Package keymap defines every key binding of initwatch, once.
//
// Bindings follow k9s and vim habits where they exist (/ filter, esc back,
// enter drill in, l logs, p previous logs, ? help, j/k, g/G). Each view has
// its own struct so bubbles/help can list exactly the keys that work there,
// and every binding has a stable name so the config file can override it.
package keymap

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Global keys work in every view.
type Global struct {
	Quit key.Binding
	Help key.Binding
	Back key.Binding
}

// Nav keys scroll any list or pane.
type Nav struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
}

// List keys work on the pod list.
type List struct {
	Nav
	Open         key.Binding
	Filter       key.Binding
	OnlyInit     key.Binding
	OnlyFailing  key.Binding
	GroupByOwner key.Binding
	SortNext     key.Binding
	SortReverse  key.Binding
	Logs         key.Binding
	PreviousLogs key.Binding
	// Rollouts opens the rollouts view: the pods summed up per workload.
	Rollouts key.Binding
}

// Rollouts keys work in the rollouts view.
type Rollouts struct {
	Nav
	// Open lists the pods of the signature under the cursor, or opens the
	// detail of the pod under it.
	Open key.Binding
	// Logs shows the example pod's log of its failed (previous) run.
	Logs key.Binding
	// Copy puts the summary under the cursor on the clipboard (OSC 52).
	Copy key.Binding
}

// Filter keys work while typing a filter.
type Filter struct {
	Accept key.Binding
	Clear  key.Binding
}

// Detail keys work in the pod detail view.
type Detail struct {
	Nav
	NextPane     key.Binding
	PrevPane     key.Binding
	InitPane     key.Binding
	Conditions   key.Binding
	Events       key.Binding
	History      key.Binding
	Resources    key.Binding
	Logs         key.Binding
	PreviousLogs key.Binding
}

// Logs keys work in the logs pane.
type Logs struct {
	Autoscroll key.Binding
	Timestamps key.Binding
	Wrap       key.Binding
	Previous   key.Binding
	Container  key.Binding
	Search     key.Binding
	NextMatch  key.Binding
	PrevMatch  key.Binding
	MoreTail   key.Binding
	LessTail   key.Binding
	Colors     key.Binding
}

// KeyMap is the whole set.
type KeyMap struct {
	Global   Global
	List     List
	Filter   Filter
	Detail   Detail
	Logs     Logs
	Rollouts Rollouts
}

func bind(help string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(strings.Join(displayKeys(keys), "/"), help))
}

func displayKeys(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		switch k {
		case "up":
			k = "↑"
		case "down":
			k = "↓"
		}
		out = append(out, k)
	}
	return out
}

func defaultNav() Nav {
	return Nav{
		Up:       bind("up", "up", "k"),
		Down:     bind("down", "down", "j"),
		PageUp:   bind("page up", "pgup", "ctrl+b"),
		PageDown: bind("page down", "pgdown", "ctrl+f"),
		Top:      bind("top", "g", "home"),
		Bottom:   bind("bottom", "G", "end"),
	}
}

// Default returns the built-in bindings.
func Default() KeyMap {
	return KeyMap{
		Global: Global{
			Quit: bind("quit", "q", "ctrl+c"),
			Help: bind("help", "?"),
			Back: bind("back", "esc"),
		},
		List: List{
			Nav:          defaultNav(),
			Open:         bind("details", "enter"),
			Filter:       bind("filter", "/"),
			OnlyInit:     bind("only initializing", "i"),
			OnlyFailing:  bind("only failing", "f"),
			GroupByOwner: bind("group by owner", "o"),
			SortNext:     bind("sort", "s"),
			SortReverse:  bind("reverse sort", "S"),
			Logs:         bind("logs", "l"),
			PreviousLogs: bind("previous logs", "p"),
			Rollouts:     bind("rollouts", "r"),
		},
		Rollouts: Rollouts{
			Nav:  defaultNav(),
			Open: bind("pods / details", "enter"),
			Logs: bind("example's failed log", "l"),
			Copy: bind("copy summary", "c"),
		},
		Filter: Filter{
			Accept: bind("apply filter", "enter"),
			Clear:  bind("clear filter", "esc"),
		},
		Detail: Detail{
			Nav:          defaultNav(),
			NextPane:     bind("next pane", "tab"),
			PrevPane:     bind("previous pane", "shift+tab"),
			InitPane:     bind("init containers", "1"),
			Conditions:   bind("conditions", "2"),
			Events:       bind("events", "3"),
			History:      bind("history", "4"),
			Resources:    bind("resources", "5"),
			Logs:         bind("logs", "l", "6"),
			PreviousLogs: bind("previous logs", "p"),
		},
		Logs: Logs{
			Autoscroll: bind("autoscroll", "s"),
			Timestamps: bind("timestamps", "t"),
			Wrap:       bind("wrap", "w"),
			Previous:   bind("previous run", "p"),
			Container:  bind("container", "c"),
			Search:     bind("search", "/"),
			NextMatch:  bind("next match", "n"),
			PrevMatch:  bind("previous match", "N"),
			MoreTail:   bind("more lines", "+"),
			LessTail:   bind("fewer lines", "-"),
			Colors:     bind("colours", "C"),
		},
	}
}

// bindings maps each stable name ("list.filter", "logs.wrap", ...) to the
// binding it names, so overrides and docs can address them.
func (m *KeyMap) bindings() map[string]*key.Binding {
	nav := func(prefix string, n *Nav) map[string]*key.Binding {
		return map[string]*key.Binding{
			prefix + ".up": &n.Up, prefix + ".down": &n.Down, prefix + ".pageUp": &n.PageUp,
			prefix + ".pageDown": &n.PageDown, prefix + ".top": &n.Top, prefix + ".bottom": &n.Bottom,
		}
	}
	b := map[string]*key.Binding{
		"global.quit": &m.Global.Quit, "global.help": &m.Global.Help, "global.back": &m.Global.Back,
		"list.open": &m.List.Open, "list.filter": &m.List.Filter, "list.onlyInit": &m.List.OnlyInit,
		"list.onlyFailing": &m.List.OnlyFailing, "list.groupByOwner": &m.List.GroupByOwner,
		"list.sortNext": &m.List.SortNext, "list.sortReverse": &m.List.SortReverse,
		"list.logs": &m.List.Logs, "list.previousLogs": &m.List.PreviousLogs,
		"list.rollouts": &m.List.Rollouts,
		"rollouts.open": &m.Rollouts.Open, "rollouts.logs": &m.Rollouts.Logs, "rollouts.copy": &m.Rollouts.Copy,
		"filter.accept": &m.Filter.Accept, "filter.clear": &m.Filter.Clear,
		"detail.nextPane": &m.Detail.NextPane, "detail.prevPane": &m.Detail.PrevPane,
		"detail.initPane": &m.Detail.InitPane, "detail.conditions": &m.Detail.Conditions,
		"detail.events": &m.Detail.Events, "detail.history": &m.Detail.History,
		"detail.resources": &m.Detail.Resources, "detail.logs": &m.Detail.Logs,
		"detail.previousLogs": &m.Detail.PreviousLogs,
		"logs.autoscroll":     &m.Logs.Autoscroll, "logs.timestamps": &m.Logs.Timestamps,
		"logs.wrap": &m.Logs.Wrap, "logs.previous": &m.Logs.Previous, "logs.container": &m.Logs.Container,
		"logs.search": &m.Logs.Search, "logs.nextMatch": &m.Logs.NextMatch, "logs.prevMatch": &m.Logs.PrevMatch,
		"logs.moreTail": &m.Logs.MoreTail, "logs.lessTail": &m.Logs.LessTail, "logs.colors": &m.Logs.Colors,
	}
	for k, v := range nav("list", &m.List.Nav) {
		b[k] = v
	}
	for k, v := range nav("detail", &m.Detail.Nav) {
		b[k] = v
	}
	for k, v := range nav("rollouts", &m.Rollouts.Nav) {
		b[k] = v
	}
	return b
}

// Names lists every binding name that Override accepts.
func (m *KeyMap) Names() []string {
	b := m.bindings()
	names := make([]string, 0, len(b))
	for n := range b {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Override replaces the keys of named bindings, keeping their help text.
// An unknown name or an empty key list is an error naming it.
func (m *KeyMap) Override(overrides map[string][]string) error {
	b := m.bindings()
	names := make([]string, 0, len(overrides))
	for n := range overrides {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		keys := overrides[name]
		target, ok := b[name]
		if !ok {
			return fmt.Errorf("unknown key binding %q", name)
		}
		if len(keys) == 0 {
			return fmt.Errorf("key binding %q: no keys given", name)
		}
		*target = bind(target.Help().Desc, keys...)
	}
	return nil
}
