package logs

import "time"

// logKind tells a log line from the markers the pane inserts between lines.
type logKind uint8

const (
	logKindLine    logKind = iota // a line of the container's log
	logKindRestart                // "── restart 3 ──": a new run begins
	logKindGap                    // lines dropped because the screen could not keep up
	logKindNote                   // any other boundary ("── previous run ──")
)

// logEntry is one row of the buffer, already sanitized.
type logEntry struct {
	seq  uint64 // position in the stream of entries, never reused
	kind logKind
	time time.Time
	// text keeps SGR colour sequences (shown when colours are on); plain has
	// none. They share memory when the line had no colours.
	text  string
	plain string
	cut   int // bytes the source dropped from the end of the line
	count int // restart number or skipped lines, for markers
}

// LogBuffer is a fixed-capacity ring of log entries: appending to a full
// buffer evicts the oldest entry, so a container that logs forever costs a
// bounded amount of memory. Entries keep their sequence numbers, so a scroll
// position or a search match survives evictions around it.
type LogBuffer struct {
	entries []logEntry
	start   int // index of the oldest entry in entries
	n       int
	max     int
	nextSeq uint64
}

// NewLogBuffer returns an empty buffer holding at most capacity entries
// (at least one). Storage grows with use, up to capacity.
func NewLogBuffer(capacity int) *LogBuffer {
	return &LogBuffer{max: max(capacity, 1)}
}

// Cap is the most entries the buffer holds.
func (b *LogBuffer) Cap() int { return b.max }

// Len is the number of entries held.
func (b *LogBuffer) Len() int { return b.n }

// Append adds e at the end, evicting the oldest entry when full, and
// returns the sequence number given to it.
func (b *LogBuffer) Append(e logEntry) uint64 {
	e.seq = b.nextSeq
	b.nextSeq++
	if len(b.entries) < b.max {
		// Still growing: the ring has not wrapped yet, start is 0. Grow by
		// hand so the storage never exceeds the capacity.
		if len(b.entries) == cap(b.entries) {
			grown := make([]logEntry, len(b.entries), min(max(2*cap(b.entries), 64), b.max))
			copy(grown, b.entries)
			b.entries = grown
		}
		b.entries = append(b.entries, e)
		b.n++
	} else {
		b.entries[b.start] = e
		b.start = (b.start + 1) % len(b.entries)
	}
	return e.seq
}

// At returns the i-th entry held, 0 being the oldest.
func (b *LogBuffer) At(i int) *logEntry {
	return &b.entries[(b.start+i)%len(b.entries)]
}

// FirstSeq is the sequence number of the oldest entry held (NextSeq when
// empty).
func (b *LogBuffer) FirstSeq() uint64 { return b.nextSeq - uint64(b.n) }

// NextSeq is the number the next appended entry will get.
func (b *LogBuffer) NextSeq() uint64 { return b.nextSeq }

// Index returns the position of the entry numbered seq, and whether it is
// still held.
func (b *LogBuffer) Index(seq uint64) (int, bool) {
	first := b.FirstSeq()
	if seq < first || seq >= b.nextSeq {
		return 0, false
	}
	return int(seq - first), true
}

// Reset empties the buffer and releases its storage; sequence numbers keep
// growing so old positions never point at new entries.
func (b *LogBuffer) Reset() {
	b.entries, b.start, b.n = nil, 0, 0
}
