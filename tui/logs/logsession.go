package logs

import (
	"context"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/kube"
)

// logStreamIDs numbers every stream any logs pane opens, so a message from a
// stream that was closed (or belongs to another pane) is recognised and
// ignored.
var logStreamIDs atomic.Uint64

// Messages between a logs pane and its stream. Each carries the id of the
// stream it belongs to.
type (
	logStreamOpenedMsg struct {
		id    uint64
		lines <-chan []kube.LogLine
		errs  <-chan error
		err   error
	}
	logBatchMsg struct {
		id    uint64
		lines []kube.LogLine
	}
	logStreamEndedMsg struct {
		id  uint64
		err error
	}
	logRetryMsg struct{ id uint64 }
)

// logPurpose says what a stream was opened for, which decides what its
// end means.
type logPurpose uint8

const (
	logPurposeFollow   logPurpose = iota // the current run, followed
	logPurposePrevious                   // the last terminated run, read once
	logPurposeFill                       // the rest of a run that just ended, before its restart marker
)

// logConn is the one stream a pane has open or is opening.
type logConn struct {
	id      uint64
	cancel  context.CancelFunc
	ctx     context.Context
	purpose logPurpose
	open    bool // between opening and the end of the stream
	// The stream's channels, once the source has opened it.
	lines <-chan []kube.LogLine
	errs  <-chan error
}

// logSession is the pane's connection state. It lives behind a pointer so
// that the copies Bubble Tea makes of the pane share one stream and one
// cancel function.
type logSession struct {
	conn     logConn
	dedupe   logDedupe
	run      int32 // restart count of the run the buffer shows
	haveRun  bool
	attempts int // failed (re)connections in a row, for back-off
	// newRun is set between a restart and the first stream of the new run:
	// until the new run has started, the kubelet would serve the old one.
	newRun bool
	// fillTo is the restart count to switch to once a fill stream ends.
	fillTo int32
}

// close cancels the open stream, if any. The source then closes its
// channels, which ends the command waiting on them: nothing is left behind.
func (s *logSession) close() {
	if s.conn.cancel != nil {
		s.conn.cancel()
	}
	s.conn = logConn{}
}

// start replaces any open stream by a new one and returns the command that
// opens it.
func (s *logSession) start(src kube.LogSource, purpose logPurpose, req kube.LogRequest) tea.Cmd {
	s.close()
	ctx, cancel := context.WithCancel(context.Background())
	s.conn = logConn{id: logStreamIDs.Add(1), cancel: cancel, ctx: ctx, purpose: purpose, open: true}
	id := s.conn.id
	return func() tea.Msg {
		lines, errs, err := src.Stream(ctx, req)
		return logStreamOpenedMsg{id: id, lines: lines, errs: errs, err: err}
	}
}

// current reports whether id is the stream the session has open.
func (s *logSession) current(id uint64) bool {
	return s.conn.open && s.conn.id == id
}

// logWaitBatch returns the command that waits for the stream's next batch.
// It returns when a batch comes or the channel closes, which the source
// guarantees once the stream's context is cancelled.
func logWaitBatch(id uint64, lines <-chan []kube.LogLine, errs <-chan error) tea.Cmd {
	return func() tea.Msg {
		if b, ok := <-lines; ok {
			return logBatchMsg{id: id, lines: b}
		}
		select {
		case err := <-errs:
			return logStreamEndedMsg{id: id, err: err}
		default:
			return logStreamEndedMsg{id: id}
		}
	}
}

// retryAfter returns the command that asks for a reconnection after d, or
// nothing if the session's stream is cancelled first (leaving the pane must
// not leave a timer goroutine behind).
func (s *logSession) retryAfter(d time.Duration) tea.Cmd {
	s.close()
	ctx, cancel := context.WithCancel(context.Background())
	s.conn = logConn{id: logStreamIDs.Add(1), cancel: cancel, ctx: ctx, purpose: logPurposeFollow, open: true}
	id := s.conn.id
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			return logRetryMsg{id: id}
		}
	}
}

// logRetryDelay backs off from half a second to ten seconds.
func logRetryDelay(attempt int) time.Duration {
	d := 500 * time.Millisecond
	for i := 0; i < attempt && d < 10*time.Second; i++ {
		d *= 2
	}
	return min(d, 10*time.Second)
}

// logLineKey identifies a line for de-duplication: the kubelet's timestamp
// has nanosecond precision, so equal keys are almost surely the same line.
type logLineKey struct {
	ns   int64
	text string
}

// logDedupe drops the lines a resumed stream repeats. The API takes sinceTime
// in whole seconds, so a stream resumed at the last seen timestamp starts
// again at the beginning of that second: every line of that second already
// shown comes again, and only those must be dropped.
type logDedupe struct {
	lastSeen time.Time
	second   time.Time          // lastSeen truncated to the second
	seen     map[logLineKey]int // lines shown in that second, with multiplicity
	replay   map[logLineKey]int // lines of that second the current stream repeated
	resuming bool               // the current stream resumes an earlier one
	dropped  int                // repeats dropped so far
}

// reset forgets everything: the next stream starts a new run or view.
func (d *logDedupe) reset() { *d = logDedupe{} }

// resume prepares for a stream resumed at since(): the repeats it sends
// are counted afresh.
func (d *logDedupe) resume() {
	d.resuming = true
	d.replay = nil
}

// since is the resume point, nil when nothing was seen.
func (d *logDedupe) since() *time.Time {
	if d.lastSeen.IsZero() {
		return nil
	}
	t := d.lastSeen
	return &t
}

// accept reports whether l is new, and records it if so.
func (d *logDedupe) accept(l kube.LogLine) bool {
	if l.Time.IsZero() {
		return true // without a timestamp a line cannot be matched
	}
	key := logLineKey{ns: l.Time.UnixNano(), text: l.Text}
	if d.resuming && !l.Time.After(d.lastSeen) {
		if l.Time.Before(d.second) {
			// Older than the second resumed from: the earlier stream
			// delivered it, the server should not have sent it again.
			d.dropped++
			return false
		}
		if d.replay == nil {
			d.replay = make(map[logLineKey]int)
		}
		d.replay[key]++
		if d.replay[key] <= d.seen[key] {
			d.dropped++
			return false
		}
		// Same second, not shown before: a line the earlier stream lost.
		d.seen[key]++
		return true
	}
	d.record(l.Time, key)
	return true
}

func (d *logDedupe) record(t time.Time, key logLineKey) {
	if sec := t.Truncate(time.Second); !sec.Equal(d.second) || d.seen == nil {
		if sec.Before(d.second) {
			// A timestamp that goes backwards (clock step): keep the window.
			d.seen[key]++
			return
		}
		d.second = sec
		d.seen = make(map[logLineKey]int)
		d.replay = nil
	}
	d.seen[key]++
	if t.After(d.lastSeen) {
		d.lastSeen = t
	}
}
