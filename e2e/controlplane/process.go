package controlplane

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// stopGrace is how long a component gets to exit after SIGTERM before its
// whole process group is killed. The apiserver's graceful shutdown waits
// for open connections (watches included) up to its request timeout, 60 s.
const stopGrace = 70 * time.Second

// process is one control-plane component running in its own process group,
// so stopping it also stops anything it forked and nothing outlives the tests.
type process struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{} // closed when Wait returned
	err  error         // Wait's result, valid after done
}

// startProcess starts bin with args, output appended to logPath.
func startProcess(name, bin string, args []string, logPath string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid: true,
		// If the test binary dies without cleaning up, the kernel stops the
		// component too instead of leaving it bound to its ports.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logFile, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended, and how.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// stop sends sig to the process group (SIGKILL after stopGrace if sig did
// not end it) and waits for the process to be reaped.
func (p *process) stop(sig syscall.Signal) error {
	defer p.log.Close()
	pgid := p.cmd.Process.Pid
	if ok, _ := p.exited(); !ok {
		if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("signal %s: %w", p.name, err)
		}
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.done
		}
	}
	// Children that ignored SIGTERM while the leader exited still belong to
	// the group: make sure none survives.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}
