package demo

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/kube"
)

// fail ends a pod whose init container failed with restartPolicy Never: the
// phase turns Failed, then the kubelet tears the sandbox down.
func (p *simPod) fail() {
	p.failed = true
	p.writeStatus()
	p.c.after(p.c.jitter(500*time.Millisecond, 1500*time.Millisecond), func() {
		if p.gone {
			return
		}
		p.sandbox = false
		p.writeStatus()
	})
}

// terminate is a graceful delete: the apiserver sets deletionTimestamp,
// the kubelet stops app containers first, sidecars after them, then reports
// the terminal phase and removes the pod.
func (p *simPod) terminate() {
	c := p.c
	if p.terminating || p.gone {
		return
	}
	p.terminating = true
	grace := int64(30)
	if p.pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = *p.pod.Spec.TerminationGracePeriodSeconds
	}
	ts := metav1.NewTime(c.stamp().Add(time.Duration(grace) * time.Second))
	p.pod.DeletionTimestamp = &ts
	p.pod.DeletionGracePeriodSeconds = &grace
	c.updatePod(p.pod, "")
	c.after(c.jitter(200*time.Millisecond, 600*time.Millisecond), func() {
		var delay time.Duration
		for _, k := range p.ctrs {
			if k.init || !k.running {
				continue
			}
			delay = max(delay, p.stopCtr(k, 0))
		}
		for _, k := range p.ctrs {
			if k.sidecar && k.running {
				p.stopCtr(k, delay+c.jitter(300*time.Millisecond, 800*time.Millisecond))
			}
		}
		p.stopped()
	})
}

// stopCtr sends SIGTERM after wait; returns when the container will be gone.
func (p *simPod) stopCtr(k *simCtr, wait time.Duration) time.Duration {
	c := p.c
	k.stopping = true
	stop := time.Second
	if k.plan != nil && k.plan.stop > 0 {
		stop = k.plan.stop
	}
	token := k.token
	c.after(wait, func() {
		c.events.kubelet(p, k.fieldPath, corev1.EventTypeNormal, "Killing", "Stopping container "+k.spec.Name)
		c.after(stop, func() {
			if k.token == token && k.running {
				k.log.append(kube.LogLine{Time: c.now(), Text: "received SIGTERM, shutting down"})
			}
			p.exit(k, token, 0)
		})
	})
	return wait + stop
}

// stopped finishes a termination once nothing runs any more.
func (p *simPod) stopped() {
	if p.gone || p.finishing {
		return
	}
	for _, k := range p.ctrs {
		if k.running {
			return
		}
	}
	p.finishing = true
	p.sandbox = false
	p.writeStatus()
	p.c.after(p.c.jitter(200*time.Millisecond, 600*time.Millisecond), func() {
		p.gone = true
		p.c.deletePod(p)
	})
}
