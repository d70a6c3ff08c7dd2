package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestParseLogLine(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		max      int
		wantTime string
		wantText string
		wantCut  int
	}{
		{"kubelet timestamp", "2026-01-01T00:00:01.123456789Z waiting for db\n", 100, "2026-01-01T00:00:01.123456789Z", "waiting for db", 0},
		{"trailing zeros trimmed by the kubelet", "2026-01-01T00:00:01.5Z x\n", 100, "2026-01-01T00:00:01.5Z", "x", 0},
		{"offset timestamp", "2026-01-01T01:00:00+01:00 x\n", 100, "2026-01-01T00:00:00Z", "x", 0},
		{"no timestamp", "plain line\n", 100, "", "plain line", 0},
		{"crlf", "2026-01-01T00:00:00Z dos line\r\n", 100, "2026-01-01T00:00:00Z", "dos line", 0},
		{"empty text", "2026-01-01T00:00:00Z \n", 100, "2026-01-01T00:00:00Z", "", 0},
		{"last line without newline", "2026-01-01T00:00:00Z end", 100, "2026-01-01T00:00:00Z", "end", 0},
		{"cut at the cap", "2026-01-01T00:00:00Z abcdefghij\n", 4, "2026-01-01T00:00:00Z", "abcd", 6},
		{"cut never splits a rune", "2026-01-01T00:00:00Z ééé\n", 3, "2026-01-01T00:00:00Z", "é", 4},
		{"spaces in text kept", "2026-01-01T00:00:00Z  two  spaces\n", 100, "2026-01-01T00:00:00Z", " two  spaces", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseLogLine([]byte(tt.raw), tt.max, 0)
			if tt.wantTime == "" {
				if !got.Time.IsZero() {
					t.Errorf("time = %v, want none", got.Time)
				}
			} else if want := mustTime(t, tt.wantTime); !got.Time.Equal(want) {
				t.Errorf("time = %v, want %v", got.Time, want)
			}
			if got.Text != tt.wantText || got.Cut != tt.wantCut {
				t.Errorf("text, cut = %q, %d; want %q, %d", got.Text, got.Cut, tt.wantText, tt.wantCut)
			}
		})
	}
}

// collect reads a stream to its end.
func collect(t *testing.T, lines <-chan []LogLine, errs <-chan error) (batches [][]LogLine, err error) {
	t.Helper()
	for b := range lines {
		batches = append(batches, b)
	}
	select {
	case err = <-errs:
	default:
	}
	return batches, err
}

func flatten(batches [][]LogLine) []LogLine {
	var out []LogLine
	for _, b := range batches {
		out = append(out, b...)
	}
	return out
}

func TestReadLinesCutsHugeLines(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	input := "2026-01-01T00:00:00Z before\n" +
		"2026-01-01T00:00:01Z " + huge + "\n" +
		"2026-01-01T00:00:02Z after\n"
	var got []LogLine
	if err := readLines(strings.NewReader(input), 1000, func(l LogLine) { got = append(got, l) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d lines, want 3", len(got))
	}
	if got[0].Text != "before" || got[2].Text != "after" {
		t.Errorf("neighbours of the huge line = %q, %q", got[0].Text, got[2].Text)
	}
	if len(got[1].Text) != 1000 || got[1].Cut != len(huge)-1000 {
		t.Errorf("huge line: kept %d bytes, cut %d; want 1000 and %d", len(got[1].Text), got[1].Cut, len(huge)-1000)
	}
	if !got[1].Time.Equal(mustTime(t, "2026-01-01T00:00:01Z")) {
		t.Errorf("huge line lost its timestamp: %v", got[1].Time)
	}
}

func TestReadLinesKeepsBlankLines(t *testing.T) {
	var got []string
	if err := readLines(strings.NewReader("a\n\nb\n"), 100, func(l LogLine) { got = append(got, l.Text) }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "a||b" {
		t.Errorf("lines = %q, want a, blank, b", got)
	}
}

func TestReadLinesHugeMultibyteLine(t *testing.T) {
	huge := strings.Repeat("é", 300000) // 600,000 bytes, over several reader windows
	var got []LogLine
	if err := readLines(strings.NewReader("2026-01-01T00:00:00Z "+huge+"\n"), 4097, func(l LogLine) { got = append(got, l) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !utf8.ValidString(got[0].Text) || len(got[0].Text)+got[0].Cut != len(huge) {
		t.Fatalf("got %d lines; text valid UTF-8 %v, kept+cut = %d, want %d",
			len(got), utf8.ValidString(got[0].Text), len(got[0].Text)+got[0].Cut, len(huge))
	}
}

func numbered(n int) string {
	var b strings.Builder
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s line %d\n", base.Add(time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), i)
	}
	return b.String()
}

func TestReadLogStreamBatches(t *testing.T) {
	// With an interval longer than the test, everything read after the
	// first batch must come in one batch when the stream ends: the sender
	// never hands over line by line.
	const n = 10000
	body := io.NopCloser(strings.NewReader(numbered(n)))
	lines, errs := ReadLogStream(context.Background(), body, LogStreamOptions{Interval: time.Hour})
	batches, err := collect(t, lines, errs)
	if err != nil {
		t.Fatalf("stream error: %v", err)
	}
	if len(batches) > 2 {
		t.Errorf("%d batches for one burst, want at most 2 (first line at once, the rest together)", len(batches))
	}
	all := flatten(batches)
	if len(all) != n {
		t.Fatalf("got %d lines, want %d", len(all), n)
	}
	for i, l := range all {
		if l.Text != fmt.Sprintf("line %d", i) {
			t.Fatalf("line %d = %q: out of order or altered", i, l.Text)
		}
	}
}

func TestReadLogStreamDropsOldestWhenConsumerLags(t *testing.T) {
	// The consumer reads nothing until the reader has parsed everything:
	// the queue keeps at most MaxPendingLines and says how many it dropped.
	const n, maxPending = 25000, 1000
	r := &signalReader{r: strings.NewReader(numbered(n)), eof: make(chan struct{})}
	lines, errs := ReadLogStream(context.Background(), io.NopCloser(r), LogStreamOptions{Interval: time.Hour, MaxPendingLines: maxPending})
	<-r.eof
	batches, err := collect(t, lines, errs)
	if err != nil {
		t.Fatal(err)
	}
	delivered, skipped := 0, 0
	var texts []string
	for _, l := range flatten(batches) {
		if l.Skipped > 0 {
			skipped += l.Skipped
			continue
		}
		delivered++
		texts = append(texts, l.Text)
	}
	if delivered+skipped != n {
		t.Errorf("delivered %d + skipped %d = %d, want %d", delivered, skipped, delivered+skipped, n)
	}
	// One batch may have left before the consumer stalled; after that the
	// queue never held more than maxPending.
	if delivered > 2*maxPending {
		t.Errorf("delivered %d lines, more than twice the pending bound %d", delivered, maxPending)
	}
	if skipped == 0 {
		t.Error("no gap marker although the consumer lagged")
	}
	if last := texts[len(texts)-1]; last != fmt.Sprintf("line %d", n-1) {
		t.Errorf("last line = %q: the newest lines must survive", last)
	}
}

// signalReader closes eof when r is exhausted.
type signalReader struct {
	r   io.Reader
	eof chan struct{}
}

func (s *signalReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if errors.Is(err, io.EOF) {
		close(s.eof)
	}
	return n, err
}

// failingBody yields its data, then err.
type failingBody struct {
	data string
	err  error
	done bool
}

func (f *failingBody) Read(p []byte) (int, error) {
	if !f.done {
		f.done = true
		return copy(p, f.data), nil
	}
	return 0, f.err
}
func (f *failingBody) Close() error { return nil }

func TestReadLogStreamReportsBrokenStream(t *testing.T) {
	broken := errors.New("unexpected EOF from kubelet")
	body := &failingBody{data: "2026-01-01T00:00:00Z one\n2026-01-01T00:00:01Z two\n", err: broken}
	lines, errs := ReadLogStream(context.Background(), body, LogStreamOptions{Interval: time.Hour})
	batches, err := collect(t, lines, errs)
	if !errors.Is(err, broken) {
		t.Errorf("error = %v, want %v", err, broken)
	}
	if got := len(flatten(batches)); got != 2 {
		t.Errorf("got %d lines before the error, want 2", got)
	}
}

// blockingBody never yields data: Read blocks until Close.
type blockingBody struct {
	closed chan struct{}
}

func (b *blockingBody) Read([]byte) (int, error) {
	<-b.closed
	return 0, errors.New("read on closed body")
}

func (b *blockingBody) Close() error {
	select {
	case <-b.closed:
	default:
		close(b.closed)
	}
	return nil
}

func TestReadLogStreamCancelClosesQuietly(t *testing.T) {
	body := &blockingBody{closed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	lines, errs := ReadLogStream(ctx, body, LogStreamOptions{})
	cancel()
	batches, err := collect(t, lines, errs)
	if err != nil {
		t.Errorf("a cancelled stream reported %v; cancelling is not an error", err)
	}
	if len(batches) != 0 {
		t.Errorf("got %d batches from a silent stream", len(batches))
	}
	<-body.closed // the body was closed, which is what frees the reader
}
