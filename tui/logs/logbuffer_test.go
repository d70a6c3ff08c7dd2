package logs

import (
	"fmt"
	"testing"
)

func TestLogBuffer(t *testing.T) {
	tests := []struct {
		name      string
		capacity  int
		appends   int
		wantLen   int
		wantFirst string // plain text of the oldest entry
		wantLast  string
	}{
		{"empty", 3, 0, 0, "", ""},
		{"partly filled", 3, 2, 2, "l0", "l1"},
		{"exactly full", 3, 3, 3, "l0", "l2"},
		{"wrapped once", 3, 4, 3, "l1", "l3"},
		{"wrapped many times", 3, 3001, 3, "l2998", "l3000"},
		{"capacity one", 1, 5, 1, "l4", "l4"},
		{"capacity zero is one", 0, 2, 1, "l1", "l1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewLogBuffer(tt.capacity)
			for i := 0; i < tt.appends; i++ {
				if seq := b.Append(logEntry{plain: fmt.Sprintf("l%d", i)}); seq != uint64(i) {
					t.Fatalf("append %d got seq %d", i, seq)
				}
			}
			if b.Len() != tt.wantLen {
				t.Fatalf("Len = %d, want %d", b.Len(), tt.wantLen)
			}
			if cap(b.entries) > b.Cap() {
				t.Errorf("storage %d exceeds the capacity %d", cap(b.entries), b.Cap())
			}
			if tt.wantLen == 0 {
				return
			}
			if got := b.At(0).plain; got != tt.wantFirst {
				t.Errorf("oldest = %q, want %q", got, tt.wantFirst)
			}
			if got := b.At(b.Len() - 1).plain; got != tt.wantLast {
				t.Errorf("newest = %q, want %q", got, tt.wantLast)
			}
			// Entries are in order and their sequence numbers consecutive.
			for i := 1; i < b.Len(); i++ {
				if b.At(i).seq != b.At(i-1).seq+1 {
					t.Fatalf("seq at %d = %d after %d", i, b.At(i).seq, b.At(i-1).seq)
				}
			}
			if b.FirstSeq() != b.At(0).seq || b.NextSeq() != uint64(tt.appends) {
				t.Errorf("FirstSeq %d NextSeq %d", b.FirstSeq(), b.NextSeq())
			}
		})
	}
}

func TestLogBufferIndex(t *testing.T) {
	b := NewLogBuffer(4)
	for i := 0; i < 10; i++ {
		b.Append(logEntry{plain: fmt.Sprint(i)})
	}
	tests := []struct {
		seq    uint64
		want   int
		wantOK bool
	}{
		{5, 0, false}, // evicted
		{6, 0, true},
		{9, 3, true},
		{10, 0, false}, // not yet appended
	}
	for _, tt := range tests {
		i, ok := b.Index(tt.seq)
		if ok != tt.wantOK || (ok && i != tt.want) {
			t.Errorf("Index(%d) = %d, %v; want %d, %v", tt.seq, i, ok, tt.want, tt.wantOK)
		}
		if ok && b.At(i).seq != tt.seq {
			t.Errorf("At(Index(%d)).seq = %d", tt.seq, b.At(i).seq)
		}
	}
}

func TestLogBufferResetKeepsNumbering(t *testing.T) {
	b := NewLogBuffer(4)
	for i := 0; i < 6; i++ {
		b.Append(logEntry{})
	}
	b.Reset()
	if b.Len() != 0 || b.entries != nil {
		t.Fatal("Reset kept entries")
	}
	if _, ok := b.Index(5); ok {
		t.Error("an old sequence number points into the emptied buffer")
	}
	if seq := b.Append(logEntry{}); seq != 6 {
		t.Errorf("first seq after Reset = %d, want 6", seq)
	}
}
