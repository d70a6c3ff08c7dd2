package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// which Linux fixes at 100 for every architecture it exposes to /proc.
const clockTick = 10 * time.Millisecond

// cpuTime is the CPU the process has used so far, user plus system, over
// all its threads.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read cpu time: %w", err)
	}
	// The command name (field 2) may hold spaces: fields count from the
	// last ")".
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	// After ")": state is field 3, so utime (14) and stime (15) are at
	// indexes 11 and 12.
	if len(f) < 13 {
		return 0, fmt.Errorf("read cpu time: short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("read cpu time: bad /proc/%d/stat", pid)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// memory is what /proc/PID/status says about the resident set.
type memory struct {
	rss, peak int64 // VmRSS, VmHWM in bytes
}

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, fmt.Errorf("read memory: %w", err)
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var dst *int64
		switch k {
		case "VmRSS":
			dst = &m.rss
		case "VmHWM":
			dst = &m.peak
		default:
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return memory{}, fmt.Errorf("read memory: unexpected %s line %q", k, line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("read memory: %s: %w", k, err)
		}
		*dst = n << 10
	}
	if m.rss == 0 {
		return memory{}, fmt.Errorf("read memory: no VmRSS for pid %d", pid)
	}
	return m, nil
}

// idleCPU measures the share of one core the process uses over d.
func idleCPU(pid int, d time.Duration) (float64, error) {
	c0, err := cpuTime(pid)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	time.Sleep(d)
	c1, err := cpuTime(pid)
	if err != nil {
		return 0, err
	}
	return float64(c1-c0) / float64(time.Since(t0)), nil
}

// machineTimes are the aggregate CPU times of /proc/stat: all of them, and
// those spent idle (idle plus iowait), in clock ticks.
type machineTimes struct{ total, idle int64 }

func readMachineTimes() (machineTimes, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineTimes{}, fmt.Errorf("read machine cpu times: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return machineTimes{}, fmt.Errorf("read machine cpu times: unexpected /proc/stat")
	}
	var m machineTimes
	for i, s := range f[1:] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return machineTimes{}, fmt.Errorf("read machine cpu times: bad /proc/stat field %q", s)
		}
		// guest and guest_nice (fields 9 and 10) are already in user.
		if i < 8 {
			m.total += v
		}
		if i == 3 || i == 4 {
			m.idle += v
		}
	}
	return m, nil
}

// busySince is the share of the machine's CPU time used since m0.
func busySince(m0, m1 machineTimes) float64 {
	total := m1.total - m0.total
	if total <= 0 {
		return 0
	}
	return 1 - float64(m1.idle-m0.idle)/float64(total)
}

// runDelay is how long the process's threads have waited, runnable, for a
// CPU so far (the second field of /proc/PID/task/*/schedstat, summed over
// the threads alive now). Next to its CPU time over the same window it
// tells a program that is slow from one the machine starves.
func runDelay(pid int) (time.Duration, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, fmt.Errorf("read run delay: %w", err)
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // the thread ended meanwhile
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			return 0, fmt.Errorf("read run delay: short schedstat of task %s", t.Name())
		}
		v, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read run delay: %w", err)
		}
		sum += v
	}
	return time.Duration(sum), nil
}
