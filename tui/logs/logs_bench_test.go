package logs

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
)

// logsBenchPane returns a focused, streaming pane of w×h and the id of its
// stream, fed directly with batch messages (no source behind it).
func logsBenchPane(b *testing.B, w, h int) (Model, uint64) {
	b.Helper()
	src := &logsFakeSource{}
	m := New(src, themes.Dark(), keymap.Default(), Options{Now: func() time.Time { return logsT0 }}).SetSize(w, h)
	m, _ = m.SetPod(logsWithStatus(logsPod(b), logsRunning("check-services", 0, nil)))
	m, cmd := m.Focus()
	msg := cmd().(logStreamOpenedMsg)
	m, _ = m.Update(msg)
	return m, msg.id
}

// logsBenchLine looks like a real log line: a timestamp, a level, some
// fields, a colour now and then.
func logsBenchLine(i int) string {
	if i%10 == 0 {
		return fmt.Sprintf("\x1b[33mWARN\x1b[0m request %d took longer than expected path=/api/v1/items/%d user=svc-%d", i, i, i%97)
	}
	return fmt.Sprintf("INFO handled request %d path=/api/v1/items/%d status=200 bytes=%d duration=%dms", i, i, i*7%4096, i%250)
}

// BenchmarkLogsSecondAt10kLines measures one second of a container writing
// 10,000 lines per second, as the pane gets it: 10 batches of 1,000 lines
// (the kube side batches per 100 ms) and 30 frames drawn at 120×40.
// Reported: the CPU time that second costs (ns/op; under 1e9 means the UI
// keeps up), the share of the frame budget left, and the frames per second
// the rest of that second could still draw.
func BenchmarkLogsSecondAt10kLines(b *testing.B) {
	m, id := logsBenchPane(b, 120, 40)
	batches := make([][]kube.LogLine, 10)
	for i := range batches {
		batches[i] = make([]kube.LogLine, 1000)
	}
	var ingest, render time.Duration
	frames := 0
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	for op := 0; op < b.N; op++ {
		for i := range batches {
			for j := range batches[i] {
				batches[i][j] = kube.LogLine{Time: logsT0.Add(time.Duration(n) * 100 * time.Microsecond), Text: logsBenchLine(n)}
				n++
			}
		}
		for i, batch := range batches {
			t0 := time.Now()
			m, _ = m.Update(logBatchMsg{id: id, lines: batch})
			t1 := time.Now()
			ingest += t1.Sub(t0)
			for f := 0; f < 3; f++ { // 30 frames over the 10 batches
				_ = m.View()
				frames++
			}
			render += time.Since(t1)
			_ = i
		}
	}
	b.StopTimer()
	perSecondIngest := ingest / time.Duration(b.N)
	perFrame := render / time.Duration(frames)
	b.ReportMetric(float64(perSecondIngest.Microseconds())/1000, "ingest-ms/s")
	b.ReportMetric(float64(perFrame.Microseconds())/1000, "ms/frame")
	b.ReportMetric(float64(time.Second-perSecondIngest)/float64(perFrame), "max-fps")
	if m.buf.Len() > DefaultBufferLines {
		b.Fatalf("buffer grew to %d lines", m.buf.Len())
	}
}

// BenchmarkLogsFrame is one frame of a full 10,000-line buffer at 120×40,
// following, wrapped, with timestamps: what each redraw costs.
func BenchmarkLogsFrame(b *testing.B) {
	for _, tc := range []struct {
		name       string
		wrap, ts   bool
		search     string
		scrolledUp bool
	}{
		{"follow", true, false, "", false},
		{"follow-timestamps", true, true, "", false},
		{"nowrap", false, false, "", false},
		{"search-highlight", true, false, "request 9", false},
		{"scrolled-up", true, false, "", true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m, id := logsBenchPane(b, 120, 40)
			lines := make([]kube.LogLine, DefaultBufferLines)
			for i := range lines {
				lines[i] = kube.LogLine{Time: logsT0.Add(time.Duration(i) * time.Millisecond), Text: logsBenchLine(i)}
			}
			m, _ = m.Update(logBatchMsg{id: id, lines: lines})
			m.wrap, m.timestamps = tc.wrap, tc.ts
			if tc.search != "" {
				m.search.setQuery(tc.search, m.buf)
			}
			if tc.scrolledUp {
				m.scrollUp(5000)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_ = m.View()
			}
		})
	}
}

// BenchmarkLogsHugeLine is a 1 MB line through the whole path: read and
// cut by the kube side, sanitized and drawn by the pane.
func BenchmarkLogsHugeLine(b *testing.B) {
	raw := "2026-01-01T00:00:00Z " + strings.Repeat("0123456789abcdef", 1<<16) + "\n" // 1 MiB of text
	m, id := logsBenchPane(b, 120, 40)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lines, errs := kube.ReadLogStream(context.Background(), io.NopCloser(strings.NewReader(raw)), kube.LogStreamOptions{})
		for batch := range lines {
			m, _ = m.Update(logBatchMsg{id: id, lines: batch})
		}
		select { // an error, if any, comes before the lines channel closes
		case err := <-errs:
			b.Fatal(err)
		default:
		}
		_ = m.View()
	}
}

// logsPacedReader yields lines at a fixed rate, like a container writing
// to its log, until stop.
type logsPacedReader struct {
	perSecond int
	start     time.Time
	written   int
	stop      time.Time
	pending   []byte
}

func (r *logsPacedReader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		now := time.Now()
		if now.After(r.stop) {
			return 0, io.EOF
		}
		due := int(now.Sub(r.start).Seconds() * float64(r.perSecond))
		if due <= r.written {
			time.Sleep(time.Millisecond)
			continue
		}
		var sb strings.Builder
		for ; r.written < due; r.written++ {
			fmt.Fprintf(&sb, "%s %s\n", now.UTC().Format(time.RFC3339Nano), logsBenchLine(r.written))
		}
		r.pending = []byte(sb.String())
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// BenchmarkLogsRealtime10kPerSecond runs the real pipeline for 3 seconds
// of wall time: a container writing 10,000 lines per second, the kube side
// reading and batching them, and a loop that hands batches to the pane and
// asks for a frame every 1/60 s, as Bubble Tea's renderer does. Reported:
// frames per second actually drawn, the slowest frame, lines shown, and the
// heap after a GC (bounded by the ring buffer). Run it with -benchtime=1x.
func BenchmarkLogsRealtime10kPerSecond(b *testing.B) {
	for i := 0; i < b.N; i++ {
		m, id := logsBenchPane(b, 120, 40)
		const seconds = 3
		start := time.Now()
		body := io.NopCloser(&logsPacedReader{perSecond: 10000, start: start, stop: start.Add(seconds * time.Second)})
		lines, errs := kube.ReadLogStream(context.Background(), body, kube.LogStreamOptions{})
		tick := time.NewTicker(time.Second / 60)
		var frameTimes []time.Duration
		received := 0
	loop:
		for {
			select {
			case batch, ok := <-lines:
				if !ok {
					break loop
				}
				received += len(batch)
				var cmd tea.Cmd
				m, cmd = m.Update(logBatchMsg{id: id, lines: batch})
				_ = cmd
			case <-tick.C:
				t0 := time.Now()
				_ = m.View()
				frameTimes = append(frameTimes, time.Since(t0))
			}
		}
		tick.Stop()
		select {
		case err := <-errs:
			b.Fatal(err)
		default:
		}
		elapsed := time.Since(start)
		sort.Slice(frameTimes, func(i, j int) bool { return frameTimes[i] < frameTimes[j] })
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(len(frameTimes))/elapsed.Seconds(), "fps")
		b.ReportMetric(float64(frameTimes[len(frameTimes)*99/100].Microseconds())/1000, "p99-frame-ms")
		b.ReportMetric(float64(frameTimes[len(frameTimes)-1].Microseconds())/1000, "max-frame-ms")
		b.ReportMetric(float64(received)/elapsed.Seconds(), "lines/s")
		b.ReportMetric(float64(m.buf.Len()), "buffered-lines")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	}
}

// BenchmarkLogsMemoryBounded appends a million lines (100 s at 10,000 per
// second) and reports the heap after a GC: it stays what 10,000 lines cost.
func BenchmarkLogsMemoryBounded(b *testing.B) {
	for i := 0; i < b.N; i++ {
		m, id := logsBenchPane(b, 120, 40)
		heapAfter := func() float64 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			return float64(ms.HeapInuse) / (1 << 20)
		}
		feed := func(from, to int) {
			batch := make([]kube.LogLine, 0, 1000)
			for n := from; n < to; n++ {
				batch = append(batch, kube.LogLine{Time: logsT0.Add(time.Duration(n) * 100 * time.Microsecond), Text: logsBenchLine(n)})
				if len(batch) == cap(batch) {
					m, _ = m.Update(logBatchMsg{id: id, lines: batch})
					batch = make([]kube.LogLine, 0, 1000)
				}
			}
		}
		feed(0, 10000)
		at10k := heapAfter()
		feed(10000, 1000000)
		at1M := heapAfter()
		b.ReportMetric(at10k, "heap-MB@10k")
		b.ReportMetric(at1M, "heap-MB@1M")
		b.ReportMetric(float64(m.buf.Len()), "buffered-lines")
	}
}
