package detail

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/themes"
)

// detailPaneFile names a pane in golden file names.
var detailPaneFile = [detailPaneCount]string{"init", "conditions", "events", "history", "resources", "logs"}

// TestDetailGolden compares whole screens of the detail view with goldens
// under testdata/golden/detail, colours off (Ascii profile): every pane of
// the seed's crash-looping pod at 120×30, 80×24 and 40×10, and the panes
// that matter for the other fixtures. go test ./tui -run DetailGolden
// -update rewrites them.
func TestDetailGolden(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	type shot struct {
		scenario string
		panes    []Pane
		sizes    [][2]int
	}
	all := []Pane{PaneInit, PaneConditions, PaneEvents, PaneHistory, PaneResources, PaneLogs}
	sizes := [][2]int{{120, 30}, {80, 24}, {40, 10}}
	shots := []shot{
		{"seed-crashloop", all, sizes},
		{"seed-running", []Pane{PaneInit, PaneHistory}, [][2]int{{80, 24}}},
		{"sidecar", []Pane{PaneInit}, [][2]int{{80, 24}, {40, 10}}},
		{"never", []Pane{PaneInit}, [][2]int{{80, 24}}},
		{"resources", []Pane{PaneInit, PaneResources}, [][2]int{{80, 24}, {40, 10}}},
		{"hostile", []Pane{PaneInit, PaneConditions, PaneEvents}, [][2]int{{80, 24}, {40, 10}}},
	}
	for _, s := range shots {
		for _, size := range s.sizes {
			d := newTestDetail(t, s.scenario, themes.Dark(), size[0], size[1])
			for _, p := range s.panes {
				name := fmt.Sprintf("%s-%s-%dx%d", s.scenario, detailPaneFile[p], size[0], size[1])
				t.Run(name, func(t *testing.T) {
					d, _ := d.SelectPane(p)
					view := d.View()
					detailCheckFrame(t, name, view, size[0], size[1], true)
					detailGolden(t, name, view)
				})
			}
		}
	}
	// Scrolled to the bottom: the last lines, and the position on the tab line.
	d := newTestDetail(t, "seed-crashloop", themes.Dark(), 80, 24)
	d = detailPress(d, "G")
	detailGolden(t, "seed-crashloop-init-80x24-bottom", d.View())
}

// TestDetailGoldenColour keeps one screen with colours (256-colour profile,
// dark theme) and one in the mono theme, so a change of styling shows.
func TestDetailGoldenColour(t *testing.T) {
	detailProfile(t, termenv.ANSI256)
	d := newTestDetail(t, "seed-crashloop", themes.Dark(), 80, 24)
	view := d.View()
	detailCheckFrame(t, "colour", view, 80, 24, false)
	if !strings.Contains(view, "\x1b[") {
		t.Fatal("no colour in a 256-colour frame")
	}
	detailGolden(t, "seed-crashloop-init-80x24-dark256", view)

	detailProfile(t, termenv.Ascii)
	d = newTestDetail(t, "seed-crashloop", themes.Mono(), 80, 24)
	detailGolden(t, "seed-crashloop-init-80x24-mono", d.View())
}

// TestDetailSizes renders every scenario, pane and key state at sizes from
// 1×1 to beyond 120×30: no panic, exactly h lines, none wider than w, no
// escape sequence but colours, whatever the cluster strings hold.
func TestDetailSizes(t *testing.T) {
	widths := []int{0, 1, 2, 3, 5, 8, 13, 20, 39, 40, 41, 64, 80, 119, 120, 200}
	heights := []int{0, 1, 2, 3, 10, 24, 60}
	profiles := []struct {
		p         termenv.Profile
		ascii     bool
		scenarios []string
	}{
		{termenv.Ascii, true, detailScenarios(t)},
		// Styled cuts are where escape sequences could be split.
		{termenv.TrueColor, false, []string{"hostile", "seed-crashloop"}},
	}
	for _, prof := range profiles {
		detailProfile(t, prof.p)
		for _, sc := range prof.scenarios {
			pod, events, history := loadDetailScenario(t, sc)
			base := New(themes.Dark(), keymap.Default(), detailClockFixed).SetPod(pod, events, history)
			for _, w := range widths {
				for _, h := range heights {
					d := base.SetSize(w, h)
					for p := range detailPaneCount {
						d, _ := d.SelectPane(Pane(p))
						label := fmt.Sprintf("%s %v %dx%d", sc, Pane(p), w, h)
						detailCheckFrame(t, label, d.View(), w, h, prof.ascii)
						d = detailPress(d, "G", "pgup", "j")
						detailCheckFrame(t, label+" scrolled", d.View(), w, h, prof.ascii)
					}
				}
			}
		}
	}
}

// detailProgram runs the detail view as a Bubble Tea program, as the app
// does: window size messages resize it, q quits.
type detailProgram struct{ d Model }

func (p detailProgram) Init() tea.Cmd { return nil }

func (p detailProgram) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.d = p.d.SetSize(msg.Width, msg.Height)
		return p, nil
	case tea.KeyMsg:
		if msg.String() == "q" {
			return p, tea.Quit
		}
	}
	var cmd tea.Cmd
	p.d, cmd = p.d.Update(msg)
	return p, cmd
}

func (p detailProgram) View() string { return p.d.View() }

// TestDetailProgram drives the view through a real Bubble Tea program with
// teatest: keys typed, the window resized, the final screen compared with a
// golden.
func TestDetailProgram(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	pod, events, history := loadDetailScenario(t, "seed-crashloop")
	d := New(themes.Dark(), keymap.Default(), detailClockFixed).SetPod(pod, events, history)
	tm := teatest.NewTestModel(t, detailProgram{d}, teatest.WithInitialTermSize(100, 30))
	tm.Type("3")
	tm.Send(tea.KeyMsg{Type: tea.KeyTab})
	tm.Type("jj")
	tm.Send(tea.WindowSizeMsg{Width: 60, Height: 16})
	tm.Type("q")
	final, ok := tm.FinalModel(t).(detailProgram)
	if !ok {
		t.Fatalf("final model is %T", tm.FinalModel(t))
	}
	if final.d.ActivePane() != PaneHistory {
		t.Errorf("pane %v, want History", final.d.ActivePane())
	}
	view := final.d.View()
	detailCheckFrame(t, "program", view, 60, 16, true)
	detailGolden(t, "program-history-60x16", view)
}

// BenchmarkDetailSetPod measures what one pod update costs the detail view
// (every pane re-rendered), the work done per watch batch for the shown pod.
func BenchmarkDetailSetPod(b *testing.B) {
	pod, events, history := loadDetailScenario(b, "seed-crashloop")
	d := New(themes.Dark(), keymap.Default(), detailClockFixed).SetSize(120, 30)
	for b.Loop() {
		d = d.SetPod(pod, events, history)
	}
}

// BenchmarkDetailView measures one frame of the detail view.
func BenchmarkDetailView(b *testing.B) {
	pod, events, history := loadDetailScenario(b, "seed-crashloop")
	d := New(themes.Dark(), keymap.Default(), detailClockFixed).SetSize(120, 30).SetPod(pod, events, history)
	for b.Loop() {
		_ = d.View()
	}
}
