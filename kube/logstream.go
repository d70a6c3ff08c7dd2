package kube

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"time"
	"unicode/utf8"
)

const (
	// DefaultLogInterval is how long log lines are gathered before they are
	// handed over as one batch: the screen redraws once per batch, not once
	// per line, so a chatty container cannot flood the UI with messages.
	DefaultLogInterval = 100 * time.Millisecond
	// DefaultMaxLogLineBytes caps one log line; the rest is dropped and
	// counted in LogLine.Cut. Container runtimes split lines at 16 KiB too,
	// but the kubelet joins the pieces, so a 1 MB line does reach clients.
	DefaultMaxLogLineBytes = 16 << 10
	// DefaultMaxPendingLines bounds the lines held for a consumer that lags
	// behind; older ones are dropped and reported in LogLine.Skipped.
	DefaultMaxPendingLines = 10000

	// readBufferBytes is the reader's window: lines up to this size are
	// handled without copying fragments.
	readBufferBytes = 64 << 10
)

// LogStreamOptions tune how a raw log stream is cut into lines and batches.
// Zero values mean the defaults above.
type LogStreamOptions struct {
	Interval        time.Duration
	MaxLineBytes    int
	MaxPendingLines int
}

func (o LogStreamOptions) withDefaults() LogStreamOptions {
	if o.Interval <= 0 {
		o.Interval = DefaultLogInterval
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLogLineBytes
	}
	if o.MaxPendingLines <= 0 {
		o.MaxPendingLines = DefaultMaxPendingLines
	}
	return o
}

// ReadLogStream turns body, a log stream with one kubelet timestamp at the
// start of each line (timestamps=true), into batches of LogLines, with the
// LogSource contract: lines is closed when body ends or ctx is cancelled,
// errs (buffered) receives at most one error before that, and a cancelled
// ctx is not an error. It owns body and closes it.
//
// Two goroutines do the work and both stop when the stream ends or ctx is
// cancelled: a reader that parses lines as fast as they come, and a sender
// that hands them over at most once per Interval. The pending queue between
// them is bounded, so a consumer that stalls costs at most MaxPendingLines.
func ReadLogStream(ctx context.Context, body io.ReadCloser, opts LogStreamOptions) (<-chan []LogLine, <-chan error) {
	opts = opts.withDefaults()
	out := make(chan []LogLine)
	errs := make(chan error, 1)
	q := &lineQueue{max: opts.MaxPendingLines, wake: make(chan struct{}, 1)}

	go func() {
		// Closing the body is what unblocks a Read stuck on a quiet stream.
		closeBody := sync.OnceFunc(func() { _ = body.Close() })
		stop := context.AfterFunc(ctx, closeBody)
		defer stop()
		defer closeBody()
		q.finish(readLines(body, opts.MaxLineBytes, q.push))
	}()
	go func() {
		defer close(out)
		sendBatches(ctx, q, opts.Interval, out, errs)
	}()
	return out, errs
}

// sendBatches forwards the queue's lines to out, one batch per interval at
// most, until the reader has finished and everything is delivered.
func sendBatches(ctx context.Context, q *lineQueue, interval time.Duration, out chan<- []LogLine, errs chan<- error) {
	var last time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		}
		// Gather for the rest of the interval, unless the stream ends:
		// then there is nothing more to wait for.
		if wait := interval - time.Since(last); wait > 0 && !q.isDone() {
			timer.Reset(wait)
		gather:
			for {
				select {
				case <-ctx.Done():
					timer.Stop()
					return
				case <-timer.C:
					break gather
				case <-q.wake:
					if q.isDone() {
						timer.Stop()
						break gather
					}
				}
			}
		}
		batch, done, err := q.take()
		if len(batch) > 0 {
			select {
			case <-ctx.Done():
				return
			case out <- batch:
			}
			last = time.Now()
		}
		if done {
			if err != nil && ctx.Err() == nil {
				errs <- err
			}
			return
		}
	}
}

// lineQueue hands lines from the reader to the sender.
type lineQueue struct {
	mu      sync.Mutex
	lines   []LogLine
	skipped int
	max     int
	done    bool
	err     error
	wake    chan struct{} // capacity 1: "there is something to take"
}

func (q *lineQueue) push(l LogLine) {
	q.mu.Lock()
	if len(q.lines) >= q.max {
		// The consumer lags: drop the oldest half at once (amortised O(1))
		// rather than blocking the reader, which would stall the kubelet's
		// side of the stream.
		drop := len(q.lines) / 2
		q.skipped += drop
		q.lines = append(q.lines[:0], q.lines[drop:]...)
	}
	q.lines = append(q.lines, l)
	q.mu.Unlock()
	q.signal()
}

func (q *lineQueue) finish(err error) {
	q.mu.Lock()
	q.done, q.err = true, err
	q.mu.Unlock()
	q.signal()
}

func (q *lineQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *lineQueue) isDone() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.done
}

// take empties the queue; a marker line leads the batch if lines were
// dropped since the last take.
func (q *lineQueue) take() (batch []LogLine, done bool, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.skipped > 0 {
		batch = make([]LogLine, 0, len(q.lines)+1)
		batch = append(batch, LogLine{Skipped: q.skipped})
		batch = append(batch, q.lines...)
		q.skipped = 0
	} else if len(q.lines) > 0 {
		batch = q.lines
	}
	q.lines = nil
	return batch, q.done, q.err
}

// readLines reads r line by line until EOF or an error, cutting lines longer
// than maxBytes, and calls emit for each. A cancelled read (the body closed
// under it) returns the read error; the caller ignores it when ctx is done.
func readLines(r io.Reader, maxBytes int, emit func(LogLine)) error {
	br := bufio.NewReaderSize(r, readBufferBytes)
	// The timestamp prefix does not count against the cap.
	keep := maxBytes + len("2006-01-02T15:04:05.999999999Z07:00 ")
	var long []byte // a line spanning several buffer fills
	cut := 0
	for {
		frag, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if room := keep - len(long); room > 0 {
				n := min(room, len(frag))
				long = append(long, frag[:n]...)
				cut += len(frag) - n
			} else {
				cut += len(frag)
			}
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return err
		}
		// The newline is no part of the line (nor of what a cut drops).
		ended := len(frag) > 0 && frag[len(frag)-1] == '\n'
		frag = bytes.TrimSuffix(frag, []byte{'\n'})
		line := frag
		if long != nil {
			if room := keep - len(long); room > 0 {
				n := min(room, len(frag))
				long = append(long, frag[:n]...)
				cut += len(frag) - n
			} else {
				cut += len(frag)
			}
			line = long
		}
		if ended || len(line) > 0 || cut > 0 {
			emit(parseLogLine(line, maxBytes, cut))
		}
		long, cut = nil, 0
		if err != nil { // io.EOF
			return nil
		}
	}
}

// parseLogLine splits the kubelet's RFC3339Nano timestamp off raw (a line
// possibly ending in '\n'), caps the text at maxBytes on a UTF-8 boundary
// and copies it, since raw points into the reader's buffer. cut counts bytes
// already dropped from the end of the line.
func parseLogLine(raw []byte, maxBytes, cut int) LogLine {
	raw = bytes.TrimSuffix(raw, []byte{'\n'})
	if cut == 0 {
		raw = bytes.TrimSuffix(raw, []byte{'\r'})
	}
	var l LogLine
	if sp := bytes.IndexByte(raw, ' '); sp > 0 && sp <= 40 {
		if t, err := time.Parse(time.RFC3339Nano, string(raw[:sp])); err == nil {
			l.Time = t
			raw = raw[sp+1:]
		}
	}
	if len(raw) > maxBytes {
		end := maxBytes
		// Step back to the start of a rune so the cut never splits one.
		for end > 0 && !utf8.RuneStart(raw[end]) {
			end--
		}
		cut += len(raw) - end
		raw = raw[:end]
	}
	l.Text = string(raw)
	l.Cut = cut
	return l
}
