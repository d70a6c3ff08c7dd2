// Package themes holds initwatch's colour themes.
//
// A Theme is a set of lipgloss styles built once from a Palette, so views
// never construct styles per frame. Built-in themes are dark, light,
// high-contrast and mono; "auto" (the default) picks dark or light from the
// terminal background, and NO_COLOR forces mono.
package themes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Palette is the handful of colours a theme is made of.
type Palette struct {
	Foreground lipgloss.TerminalColor
	Muted      lipgloss.TerminalColor
	Accent     lipgloss.TerminalColor // titles, active pane, selection
	SelectedBg lipgloss.TerminalColor
	Match      lipgloss.TerminalColor // fuzzy-matched characters
	OK         lipgloss.TerminalColor // ready, succeeded
	Progress   lipgloss.TerminalColor // running, initializing
	Warn       lipgloss.TerminalColor // not ready, reconnecting
	Fail       lipgloss.TerminalColor // failed, crash-looping, forbidden
	Sidecar    lipgloss.TerminalColor
	Waiting    lipgloss.TerminalColor
}

// Theme is every style initwatch draws with.
type Theme struct {
	Name string

	Base         lipgloss.Style
	Muted        lipgloss.Style
	Title        lipgloss.Style // pane and section titles
	Header       lipgloss.Style // top bar
	HeaderLabel  lipgloss.Style
	HeaderValue  lipgloss.Style
	ColumnHeader lipgloss.Style
	Row          lipgloss.Style
	SelectedRow  lipgloss.Style
	Match        lipgloss.Style // fuzzy-matched characters in names
	Footer       lipgloss.Style
	Border       lipgloss.Style // pane borders
	ActiveTab    lipgloss.Style
	InactiveTab  lipgloss.Style
	Error        lipgloss.Style
	Warning      lipgloss.Style

	// Pod categories (STATUS column).
	StatusFailing      lipgloss.Style
	StatusInitializing lipgloss.Style
	StatusNotReady     lipgloss.Style
	StatusReady        lipgloss.Style
	StatusDone         lipgloss.Style

	// Init progress bar segments, one per init container.
	StepSucceeded lipgloss.Style
	StepRunning   lipgloss.Style
	StepFailed    lipgloss.Style
	StepWaiting   lipgloss.Style
	StepSidecar   lipgloss.Style

	// Connection state in the header.
	ConnLive         lipgloss.Style
	ConnReconnecting lipgloss.Style
	ConnForbidden    lipgloss.Style

	// Glyphs differ in mono, where colour cannot tell step phases apart.
	Glyphs Glyphs
}

// Glyphs are the characters used for progress bar segments.
type Glyphs struct {
	Succeeded, Running, Failed, Waiting, Sidecar string
}

var colourGlyphs = Glyphs{Succeeded: "█", Running: "▓", Failed: "█", Waiting: "░", Sidecar: "▒"}

// monoGlyphs tell phases apart by shape alone.
var monoGlyphs = Glyphs{Succeeded: "█", Running: "▶", Failed: "✗", Waiting: "·", Sidecar: "◆"}

// New builds a Theme from a palette.
func New(name string, p Palette, g Glyphs) Theme {
	fg := lipgloss.NewStyle().Foreground(p.Foreground)
	bold := func(c lipgloss.TerminalColor) lipgloss.Style { return lipgloss.NewStyle().Foreground(c).Bold(true) }
	col := func(c lipgloss.TerminalColor) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	return Theme{
		Name:               name,
		Base:               fg,
		Muted:              col(p.Muted),
		Title:              bold(p.Accent),
		Header:             fg,
		HeaderLabel:        col(p.Muted),
		HeaderValue:        bold(p.Foreground),
		ColumnHeader:       bold(p.Muted),
		Row:                fg,
		SelectedRow:        lipgloss.NewStyle().Foreground(p.Foreground).Background(p.SelectedBg).Bold(true),
		Match:              lipgloss.NewStyle().Foreground(p.Match).Bold(true).Underline(true),
		Footer:             col(p.Muted),
		Border:             col(p.Muted),
		ActiveTab:          bold(p.Accent).Underline(true),
		InactiveTab:        col(p.Muted),
		Error:              bold(p.Fail),
		Warning:            col(p.Warn),
		StatusFailing:      bold(p.Fail),
		StatusInitializing: col(p.Progress),
		StatusNotReady:     col(p.Warn),
		StatusReady:        col(p.OK),
		StatusDone:         col(p.Muted),
		StepSucceeded:      col(p.OK),
		StepRunning:        col(p.Progress),
		StepFailed:         col(p.Fail),
		StepWaiting:        col(p.Waiting),
		StepSidecar:        col(p.Sidecar),
		ConnLive:           col(p.OK),
		ConnReconnecting:   bold(p.Warn),
		ConnForbidden:      bold(p.Fail),
		Glyphs:             g,
	}
}

// Dark suits dark terminal backgrounds.
func Dark() Theme {
	return New("dark", Palette{
		Foreground: lipgloss.Color("252"), Muted: lipgloss.Color("245"), Accent: lipgloss.Color("39"),
		SelectedBg: lipgloss.Color("237"), Match: lipgloss.Color("214"), OK: lipgloss.Color("42"),
		Progress: lipgloss.Color("39"), Warn: lipgloss.Color("214"), Fail: lipgloss.Color("203"),
		Sidecar: lipgloss.Color("141"), Waiting: lipgloss.Color("240"),
	}, colourGlyphs)
}

// Light suits light terminal backgrounds.
func Light() Theme {
	return New("light", Palette{
		Foreground: lipgloss.Color("235"), Muted: lipgloss.Color("242"), Accent: lipgloss.Color("25"),
		SelectedBg: lipgloss.Color("254"), Match: lipgloss.Color("166"), OK: lipgloss.Color("28"),
		Progress: lipgloss.Color("25"), Warn: lipgloss.Color("130"), Fail: lipgloss.Color("160"),
		Sidecar: lipgloss.Color("91"), Waiting: lipgloss.Color("248"),
	}, colourGlyphs)
}

// HighContrast uses the 16 base ANSI colours at full strength, which every
// terminal maps to its most legible shades.
func HighContrast() Theme {
	return New("high-contrast", Palette{
		Foreground: lipgloss.Color("15"), Muted: lipgloss.Color("7"), Accent: lipgloss.Color("14"),
		SelectedBg: lipgloss.Color("4"), Match: lipgloss.Color("11"), OK: lipgloss.Color("10"),
		Progress: lipgloss.Color("14"), Warn: lipgloss.Color("11"), Fail: lipgloss.Color("9"),
		Sidecar: lipgloss.Color("13"), Waiting: lipgloss.Color("7"),
	}, colourGlyphs)
}

// Mono draws with attributes only (bold, reverse, underline), for NO_COLOR
// and terminals without colour.
func Mono() Theme {
	none := lipgloss.NoColor{}
	t := New("mono", Palette{
		Foreground: none, Muted: none, Accent: none, SelectedBg: none, Match: none, OK: none,
		Progress: none, Warn: none, Fail: none, Sidecar: none, Waiting: none,
	}, monoGlyphs)
	t.SelectedRow = lipgloss.NewStyle().Reverse(true)
	t.Muted = lipgloss.NewStyle().Faint(true)
	t.StatusFailing = lipgloss.NewStyle().Bold(true)
	t.Error = lipgloss.NewStyle().Bold(true)
	return t
}

// Auto picks Dark or Light from the terminal's background.
func Auto() Theme {
	if lipgloss.HasDarkBackground() {
		t := Dark()
		t.Name = "auto"
		return t
	}
	t := Light()
	t.Name = "auto"
	return t
}

var builtins = map[string]func() Theme{
	"auto":          Auto,
	"dark":          Dark,
	"light":         Light,
	"high-contrast": HighContrast,
	"mono":          Mono,
}

// Names lists the built-in theme names.
func Names() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Select returns the theme to use: NO_COLOR (any non-empty value, per
// no-color.org) wins over the name; an empty name means "auto".
func Select(name string, noColor bool) (Theme, error) {
	if name == "" {
		name = "auto"
	}
	build, ok := builtins[strings.ToLower(name)]
	if !ok {
		return Theme{}, fmt.Errorf("unknown theme %q (choose one of %s)", name, strings.Join(Names(), ", "))
	}
	if noColor {
		return Mono(), nil
	}
	return build(), nil
}
