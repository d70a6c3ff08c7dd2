package podlist

import (
	"time"

	"github.com/initwatch/initwatch/model"
)

// column is one column of the pod list. The INIT column is three parts
// (bar, N/M, active step) sized separately.
type column int

const (
	colCtx column = iota // CONTEXT, only when several clusters are shown
	colNS
	colName
	colReady
	colStatus
	colRestarts
	colAge
	colBar
	colFraction
	colStep
	colCount
)

var columnTitles = [colCount]string{
	colCtx: "CONTEXT", colNS: "NAMESPACE", colName: "NAME", colReady: "READY", colStatus: "STATUS",
	colRestarts: "RESTARTS", colAge: "AGE", colBar: "INIT",
}

// Gaps between columns, and between the parts of the INIT column.
const (
	colGap  = 2
	partGap = 1
)

// layout is the width of every column; 0 hides it.
type layout struct {
	w [colCount]int
}

func (ly *layout) shown(c column) bool { return ly.w[c] > 0 }

// gapAfter is the space printed after column c when another column follows.
func (ly *layout) gapAfter(c column) int {
	for n := c + 1; n < colCount; n++ {
		if ly.w[n] > 0 {
			if c >= colBar && n > colBar {
				return partGap
			}
			return colGap
		}
	}
	return 0
}

func (ly *layout) total() int {
	t := 0
	for c := colCtx; c < colCount; c++ {
		if ly.w[c] > 0 {
			t += ly.w[c] + ly.gapAfter(c)
		}
	}
	return t
}

// dropOrder is the order in which columns give way on narrow screens:
// NAME, STATUS and the bar go last.
var dropOrder = []column{colStep, colRestarts, colNS, colAge, colReady, colFraction, colCtx, colBar}

// Largest width a column takes before others get space.
const (
	maxNameWidth = 63 // a DNS label; longer names are truncated
	maxNSWidth   = 40
	maxStepWidth = 40
	maxCtxWidth  = 24 // contexts are shortened before (shortContexts)
)

// growOrder is how spare width is handed back to shrunk columns; upTo 0
// means up to the natural width.
var growOrder = []struct {
	col  column
	upTo int
}{
	{colName, 16}, {colStatus, 0}, {colCtx, 0}, {colStep, 0}, {colName, 32}, {colBar, 0}, {colNS, 0}, {colName, 0},
}

// computeLayout sizes the columns for a screen width from what the rows
// hold. Columns start at their natural width; when that does not fit, the
// flexible ones shrink to a floor and, if still too wide, columns are
// dropped in dropOrder; space left over is handed back in growOrder.
func computeLayout(s colStats, width int, now time.Time) layout {
	var nat, floor layout
	if s.ctx > 0 {
		nat.w[colCtx] = min(max(s.ctx, len(columnTitles[colCtx])), maxCtxWidth)
	}
	nat.w[colNS] = min(max(s.ns, len(columnTitles[colNS])), maxNSWidth)
	nat.w[colName] = min(max(s.name, len(columnTitles[colName])), maxNameWidth)
	nat.w[colReady] = max(s.ready, len(columnTitles[colReady]))
	nat.w[colStatus] = max(s.status, len(columnTitles[colStatus]))
	nat.w[colRestarts] = max(s.restarts, len(columnTitles[colRestarts]))
	nat.w[colAge] = ageWidth(s.oldest, now)
	if s.steps > 0 {
		nat.w[colBar] = min(s.steps, maxBarCells)
		nat.w[colFraction] = s.fraction
		// The title "INIT" spans the bar and the fraction.
		if extra := len(columnTitles[colBar]) - (nat.w[colBar] + partGap + nat.w[colFraction]); extra > 0 {
			nat.w[colFraction] += extra
		}
		nat.w[colStep] = min(s.stepName, maxStepWidth)
	}
	floor = nat
	floor.w[colNS] = min(nat.w[colNS], 12)
	floor.w[colCtx] = min(nat.w[colCtx], 8)
	floor.w[colName] = min(nat.w[colName], 20)
	floor.w[colStep] = min(nat.w[colStep], 8)
	floor.w[colBar] = min(nat.w[colBar], 4)

	ly := floor
	for _, c := range dropOrder {
		if ly.total() <= width {
			break
		}
		ly.w[c] = 0
		if c == colFraction {
			// Few columns left: let NAME and STATUS shrink further.
			ly.w[colName] = min(nat.w[colName], 12)
			ly.w[colStatus] = min(nat.w[colStatus], 12)
		}
		if c == colBar {
			ly.w[colName] = min(nat.w[colName], 8)
		}
	}
	// Only NAME and STATUS left: STATUS shrinks to a floor, then goes;
	// NAME takes what remains.
	if over := ly.total() - width; over > 0 && ly.shown(colStatus) {
		ly.w[colStatus] -= min(over, max(ly.w[colStatus]-7, 0))
		if ly.total() > width {
			ly.w[colStatus] = 0
		}
	}
	if over := ly.total() - width; over > 0 {
		ly.w[colName] = max(ly.w[colName]-over, 1)
	}
	// Give the room left back, most important first: enough NAME to tell
	// pods apart, the whole STATUS, the step holding things up, more NAME,
	// the whole bar, then everything else.
	spare := width - ly.total()
	for _, g := range growOrder {
		if spare <= 0 {
			break
		}
		if !ly.shown(g.col) {
			continue
		}
		target := nat.w[g.col]
		if g.upTo > 0 {
			target = min(target, g.upTo)
		}
		if grow := min(spare, target-ly.w[g.col]); grow > 0 {
			ly.w[g.col] += grow
			spare -= grow
		}
	}
	return ly
}

// ageWidth is the AGE column's width: the oldest pod has the longest age
// string except within a few units ("4m12s" is wider than "3h").
func ageWidth(oldest time.Time, now time.Time) int {
	w := len("4m12s")
	if !oldest.IsZero() {
		w = max(w, len(model.Since(oldest, now)))
	}
	return w
}
