package demo

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// probeStartup fails the startup probe every period until plan.startup has
// passed, then marks the container started and lets the next one go.
func (p *simPod) probeStartup(k *simCtr, token int) {
	c := p.c
	period := k.plan.probePeriod
	if period <= 0 {
		period = 2 * time.Second
	}
	passAt := c.now().Add(k.plan.startup)
	var probe func()
	probe = func() {
		if p.gone || k.token != token || !k.running {
			return
		}
		if c.now().Before(passAt) {
			c.events.kubelet(p, k.fieldPath, corev1.EventTypeWarning, "Unhealthy",
				fmt.Sprintf("Startup probe failed: %s", probeFailure(k.spec.StartupProbe, p.pod.Status.PodIP)))
			c.after(period, probe)
			return
		}
		k.started = true
		k.ready = k.spec.ReadinessProbe == nil
		p.writeStatus()
		if k.spec.ReadinessProbe != nil {
			p.probeReady(k, token)
		}
		p.sync()
	}
	c.after(period, probe)
}

// probeReady passes the readiness probe after plan.ready.
func (p *simPod) probeReady(k *simCtr, token int) {
	d := time.Second
	if k.plan != nil && k.plan.ready > 0 {
		d = k.plan.ready
	}
	if d > 5*time.Second {
		// A slow starter fails its readiness probe first, as on a real
		// node; the event says why it is not ready yet.
		p.c.after(d/2, func() {
			if p.gone || k.token != token || !k.running || k.ready {
				return
			}
			p.c.events.kubelet(p, k.fieldPath, corev1.EventTypeWarning, "Unhealthy",
				"Readiness probe failed: HTTP probe failed with statuscode: 503")
		})
	}
	p.c.after(d, func() {
		if p.gone || k.token != token || !k.running || p.terminating {
			return
		}
		k.ready = true
		p.writeStatus()
	})
}

func probeFailure(probe *corev1.Probe, podIP string) string {
	if probe != nil && probe.HTTPGet != nil {
		port := probe.HTTPGet.Port.String()
		return fmt.Sprintf("Get %q: dial tcp %s:%s: connect: connection refused",
			fmt.Sprintf("http://%s:%s%s", podIP, port, probe.HTTPGet.Path), podIP, port)
	}
	return "command timed out"
}
