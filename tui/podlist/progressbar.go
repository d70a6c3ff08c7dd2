package podlist

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
)

// stepClass is how a bar segment is drawn: one glyph and one style each.
type stepClass uint8

const (
	classSucceeded stepClass = iota
	classSidecar
	classWaiting
	classRunning
	classFailed
	classCount
)

// maxBarCells bounds the bar: pods with more init containers than this get
// one cell per group of steps, showing the most urgent step of the group.
const maxBarCells = 12

func classOf(s *model.InitStep) stepClass {
	switch s.Phase {
	case model.PhaseSucceeded:
		return classSucceeded
	case model.PhaseSidecarStarted, model.PhaseSidecarReady:
		return classSidecar
	case model.PhaseRunning:
		return classRunning
	case model.PhaseFailed, model.PhaseCrashLooping:
		return classFailed
	}
	return classWaiting
}

// stepStyles are the bar's styles and glyphs, indexed by stepClass.
type stepStyles struct {
	style [classCount]paint
	glyph [classCount]string
}

func newStepStyles(th themes.Theme, base lipgloss.Style) stepStyles {
	var s stepStyles
	for c, st := range map[stepClass]lipgloss.Style{
		classSucceeded: th.StepSucceeded, classSidecar: th.StepSidecar, classWaiting: th.StepWaiting,
		classRunning: th.StepRunning, classFailed: th.StepFailed,
	} {
		s.style[c] = newPaint(st.Inherit(base))
	}
	g := th.Glyphs
	s.glyph = [classCount]string{
		classSucceeded: g.Succeeded, classSidecar: g.Sidecar, classWaiting: g.Waiting,
		classRunning: g.Running, classFailed: g.Failed,
	}
	return s
}

// stepClasses appends the class of every step to buf: all the bar needs of
// the steps, so list entries keep these bytes instead of the steps.
func stepClasses(steps []model.InitStep, buf []stepClass) []stepClass {
	buf = buf[:0]
	for i := range steps {
		buf = append(buf, classOf(&steps[i]))
	}
	return buf
}

// barCells returns the class of each cell of a bar of at most n cells.
func barCells(steps []model.InitStep, n int, buf []stepClass) []stepClass {
	return barCellsOf(stepClasses(steps, nil), n, buf)
}

// barCellsOf is barCells on the steps' classes.
func barCellsOf(classes []stepClass, n int, buf []stepClass) []stepClass {
	buf = buf[:0]
	if len(classes) <= n {
		return append(buf, classes...)
	}
	for c := 0; c < n; c++ {
		lo, hi := c*len(classes)/n, (c+1)*len(classes)/n
		worst := classSucceeded
		for _, cl := range classes[lo:hi] {
			worst = max(worst, cl)
		}
		buf = append(buf, worst)
	}
	return buf
}

// renderBar draws the bar of steps (their classes) in exactly width cells
// (padding with spaces in pad's style), one styled run per stretch of
// equal segments.
func renderBar(b *strings.Builder, classes []stepClass, width int, st *stepStyles, pad paint) {
	var cellsBuf [maxBarCells]stepClass
	cells := barCellsOf(classes, min(width, maxBarCells), cellsBuf[:0])
	for i := 0; i < len(cells); {
		j := i
		for j < len(cells) && cells[j] == cells[i] {
			j++
		}
		st.style[cells[i]].write(b, strings.Repeat(st.glyph[cells[i]], j-i))
		i = j
	}
	if rest := width - len(cells); rest > 0 {
		pad.write(b, strings.Repeat(" ", rest))
	}
}

// fraction is the "N/M" after the bar; empty for pods without init containers.
func fraction(p model.Progress) string {
	if p.Total == 0 {
		return ""
	}
	return strconv.Itoa(p.Done) + "/" + strconv.Itoa(p.Total)
}

// activeClass is the class of the step holding initialization up, used to
// colour its name after the bar.
func activeClass(v *model.PodView) stepClass {
	a := v.Progress.Active
	if a < 0 || a >= len(v.Steps) {
		return classWaiting
	}
	return classOf(&v.Steps[a])
}
