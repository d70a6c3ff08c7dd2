package demo

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// simNode is a worker node: its addresses and the images its container
// runtime already holds.
type simNode struct {
	name   string
	hostIP string
	subnet string // pod CIDR prefix, "10.244.1."
	nextIP int
	images map[string]bool
}

func (n *simNode) allocIP() string {
	n.nextIP++
	return fmt.Sprintf("%s%d", n.subnet, n.nextIP)
}

const nodeCount = 3

func (c *Cluster) addNodes() {
	for i := range nodeCount {
		n := &simNode{
			name:   fmt.Sprintf("demo-worker-%d", i+1),
			hostIP: fmt.Sprintf("172.18.0.%d", i+3),
			subnet: fmt.Sprintf("10.244.%d.", i+1),
			nextIP: 1 + c.rng.IntN(20),
			images: map[string]bool{},
		}
		c.nodes = append(c.nodes, n)
		created := metav1.NewTime(c.start.Add(-30 * 24 * time.Hour))
		c.createNode(&corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name: n.name, UID: c.uid(), CreationTimestamp: created,
				Labels: map[string]string{
					"kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
				},
			},
			Spec: corev1.NodeSpec{PodCIDR: n.subnet + "0/24", PodCIDRs: []string{n.subnet + "0/24"}},
			Status: corev1.NodeStatus{
				Capacity: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("4"),
					corev1.ResourceMemory: resource.MustParse("16Gi"),
					corev1.ResourcePods:   resource.MustParse("110"),
				},
				Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: n.hostIP}, {Type: corev1.NodeHostName, Address: n.name}},
				Conditions: []corev1.NodeCondition{{
					Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
					Message: "kubelet is posting ready status", LastTransitionTime: created, LastHeartbeatTime: created,
				}},
				NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.37.2", ContainerRuntimeVersion: "containerd://2.1.4", OperatingSystem: "linux", Architecture: "amd64"},
			},
		})
	}
}

// submit creates p's pod and hands it to the scheduler.
func (c *Cluster) submit(p *simPod, manager string) {
	now := c.stamp()
	p.pod.CreationTimestamp = now
	p.pod.Generation = 1
	p.pod.Status = corev1.PodStatus{Phase: corev1.PodPending, QOSClass: qosClass(&p.pod.Spec)}
	c.createPod(p.pod, manager)
	if p.plan.unschedulable != "" {
		c.after(p.plan.schedule, func() { c.unschedulable(p) })
		return
	}
	c.after(p.plan.schedule, func() { c.bind(p) })
}

// unschedulable is a failed scheduling attempt: a PodScheduled=False
// condition, a FailedScheduling event, and a retry once room frees up.
func (c *Cluster) unschedulable(p *simPod) {
	if p.gone {
		return
	}
	p.pod.Status.Conditions = []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, ObservedGeneration: p.pod.Generation,
		Reason: corev1.PodReasonUnschedulable, Message: p.plan.unschedulable, LastTransitionTime: c.stamp(),
	}}
	c.updateStatus(p.pod)
	c.events.scheduler(p, corev1.EventTypeWarning, "FailedScheduling", "Scheduling", p.plan.unschedulable)
	c.after(p.plan.unschedulableFor, func() { c.bind(p) })
}

// bind assigns the pod to a node: one write that sets spec.nodeName and
// PodScheduled=True, as the binding subresource does.
func (c *Cluster) bind(p *simPod) {
	if p.gone {
		return
	}
	i := p.plan.node
	if i < 0 || i >= len(c.nodes) {
		i = c.rng.IntN(len(c.nodes))
	}
	p.node = c.nodes[i]
	p.pod.Spec.NodeName = p.node.name
	p.pod.Status.Conditions = []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionTrue, ObservedGeneration: p.pod.Generation,
		LastTransitionTime: c.stamp(),
	}}
	c.updatePod(p.pod, managerScheduler)
	c.events.scheduler(p, corev1.EventTypeNormal, "Scheduled", "Binding",
		fmt.Sprintf("Successfully assigned %s/%s to %s", p.pod.Namespace, p.pod.Name, p.node.name))
	c.after(p.plan.admit, p.admit)
}

// digest is the sha256 of an image, the same for every pod and node.
func (c *Cluster) digest(image string) string {
	if c.digests == nil {
		c.digests = map[string]string{}
	}
	d, ok := c.digests[image]
	if !ok {
		d = c.randHex(64)
		c.digests[image] = d
	}
	return d
}
