package kube

import (
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/initwatch/initwatch/model"
)

// PackedPod is a pod as initwatch keeps it between changes: exactly what
// StripPod keeps, in a fraction of the memory. A stripped *corev1.Pod is
// mostly empty fixed-size structs: the Pod itself is 1,240 bytes, each of
// its five or so container statuses 208 and each condition 120, about 3 KB
// a pod before any string (bench/tuiheap's profile at 50,000 pods: StripPod,
// stripStatuses and stripConditions held 140 of the 229 MB live). Packed,
// the conditions' and statuses' names, images, reasons and messages are one
// shared shape per workload, and a pod holds only what is its own: times,
// states, restart counts, container IDs.
//
// The informer cache and the pod list hold PackedPods; Pod builds the
// stripped *corev1.Pod that model/ reads, when something reads it (a
// change's new row, an opened detail). A PackedPod is read-only, like every
// cached object; it is a runtime.Object so that the pods' informer can
// store it, and its ObjectMeta is StripPod's.
type PackedPod struct {
	metav1.TypeMeta
	metav1.ObjectMeta

	initContainers, containers []corev1.Container // shared (containerSets)
	restartPolicy              corev1.RestartPolicy
	nodeName                   string

	phase         corev1.PodPhase
	hostIP, podIP string
	// podIPs is the pod's addresses unless they are just podIP, which
	// ipsArePodIP says (the usual single-stack pod: no slice of its own).
	podIPs      []corev1.PodIP
	ipsArePodIP bool
	startTime   *metav1.Time

	conditions             packedConditions
	initStatuses, statuses packedStatuses

	// rare holds what few pods set; nil when none of it is.
	rare *podRare
}

// podRare is the part of a pod most pods leave empty.
type podRare struct {
	overhead        corev1.ResourceList
	resources       *corev1.ResourceRequirements
	schedulingGates []corev1.PodSchedulingGate
	readinessGates  []corev1.PodReadinessGate
	message, reason string
	nominatedNode   string
	// conditions, when one of them carries a probe time, which the packed
	// form has no room for (the kubelet leaves it unset).
	conditions []corev1.PodCondition
}

// PackPod packs what StripPod keeps of pod, sharing what pods share.
func PackPod(pod *corev1.Pod) *PackedPod {
	if pod == nil {
		return nil
	}
	s := &pod.Status
	p := &PackedPod{
		TypeMeta:       pod.TypeMeta,
		ObjectMeta:     stripMeta(&pod.ObjectMeta),
		initContainers: containerSets.intern(pod.Spec.InitContainers, stripContainers),
		containers:     containerSets.intern(pod.Spec.Containers, stripContainers),
		restartPolicy:  corev1.RestartPolicy(internString(string(pod.Spec.RestartPolicy))),
		nodeName:       internString(pod.Spec.NodeName),
		phase:          corev1.PodPhase(internString(string(s.Phase))),
		hostIP:         internString(s.HostIP), // the node's
		podIP:          s.PodIP,
		startTime:      s.StartTime,
		initStatuses:   packStatuses(s.InitContainerStatuses),
		statuses:       packStatuses(s.ContainerStatuses),
	}
	if len(s.PodIPs) == 1 && s.PodIPs[0].IP == s.PodIP {
		p.ipsArePodIP = true
	} else {
		p.podIPs = podIPs(s.PodIPs, s.PodIP)
	}
	var rare podRare
	if !packConditions(&p.conditions, s.Conditions) {
		rare.conditions = stripConditions(s.Conditions)
	}
	rare.overhead = internResources(pod.Spec.Overhead)
	rare.resources = pod.Spec.Resources
	rare.schedulingGates = pod.Spec.SchedulingGates
	rare.readinessGates = pod.Spec.ReadinessGates
	rare.message = s.Message
	rare.reason = internString(s.Reason)
	rare.nominatedNode = internString(s.NominatedNodeName)
	if rare.overhead != nil || rare.resources != nil || rare.schedulingGates != nil || rare.readinessGates != nil ||
		rare.message != "" || rare.reason != "" || rare.nominatedNode != "" || rare.conditions != nil {
		// A copy, so that rare itself stays on the stack for the pods
		// that set none of it.
		kept := rare
		p.rare = &kept
	}
	return p
}

// PackStamped is PackPod for a pod already stamped with its context (a
// feed that holds API pods: the demo, tests): the stamp is kept, as
// ContextTransform would have put it on the packed pod.
func PackStamped(pod *corev1.Pod) *PackedPod {
	p := PackPod(pod)
	if ctx := model.ContextOf(pod); ctx != "" {
		p.Annotations = withContext(p.Annotations, ctx)
	}
	return p
}

// Pod returns the stripped pod p packs (StripPod's result), newly built:
// the caller may keep it, and must not write to what it shares with p.
func (p *PackedPod) Pod() *corev1.Pod {
	if p == nil {
		return nil
	}
	out := &corev1.Pod{}
	p.unpack(out, nil, nil, nil, nil)
	return out
}

// Unpacker unpacks pods into memory of its own, reused from one pod to the
// next: the pod list unpacks every changed pod once, to compute its row,
// and building each anew was 3 KB of garbage a change (5,000 changes a
// second at 50,000 pods: 15 MB a second for the collector).
type Unpacker struct {
	pod                    corev1.Pod
	conditions             []corev1.PodCondition
	initStatuses, statuses []corev1.ContainerStatus
	ips                    []corev1.PodIP
}

// Unpack returns what Pod returns, in u's memory: it is valid until the
// next Unpack, and nothing may keep a pointer into it.
func (u *Unpacker) Unpack(p *PackedPod) *corev1.Pod {
	if p == nil {
		return nil
	}
	u.conditions, u.initStatuses, u.statuses, u.ips = p.unpack(&u.pod,
		u.conditions[:0], u.initStatuses[:0], u.statuses[:0], u.ips[:0])
	return &u.pod
}

// unpack writes the pod p packs into out, its lists appended to the ones
// given (empty, with room or nil), which it returns for the next pod.
func (p *PackedPod) unpack(out *corev1.Pod, conds []corev1.PodCondition,
	initStatuses, statuses []corev1.ContainerStatus, ips []corev1.PodIP,
) ([]corev1.PodCondition, []corev1.ContainerStatus, []corev1.ContainerStatus, []corev1.PodIP) {
	*out = corev1.Pod{
		TypeMeta:   p.TypeMeta,
		ObjectMeta: p.ObjectMeta,
		Spec: corev1.PodSpec{
			InitContainers: p.initContainers,
			Containers:     p.containers,
			RestartPolicy:  p.restartPolicy,
			NodeName:       p.nodeName,
		},
		Status: corev1.PodStatus{
			Phase:     p.phase,
			HostIP:    p.hostIP,
			PodIP:     p.podIP,
			PodIPs:    p.podIPs,
			StartTime: p.startTime,
		},
	}
	conds = p.conditions.unpack(conds)
	initStatuses = p.initStatuses.unpack(initStatuses)
	statuses = p.statuses.unpack(statuses)
	out.Status.Conditions = nilUnless(p.conditions.shape != nil, conds)
	out.Status.InitContainerStatuses = nilUnless(p.initStatuses.shape != nil, initStatuses)
	out.Status.ContainerStatuses = nilUnless(p.statuses.shape != nil, statuses)
	if p.ipsArePodIP {
		ips = append(ips, corev1.PodIP{IP: p.podIP})
		out.Status.PodIPs = ips
	}
	if r := p.rare; r != nil {
		out.Spec.Overhead = r.overhead
		out.Spec.Resources = r.resources
		out.Spec.SchedulingGates = r.schedulingGates
		out.Spec.ReadinessGates = r.readinessGates
		out.Status.Message = r.message
		out.Status.Reason = r.reason
		out.Status.NominatedNodeName = r.nominatedNode
		if r.conditions != nil {
			conds = append(conds, r.conditions...)
			out.Status.Conditions = conds
		}
	}
	return conds, initStatuses, statuses, ips
}

// nilUnless is list, or nil when the packed pod had no list at all: an
// empty list and none are told apart, as the API pod told them.
func nilUnless[E any](present bool, list []E) []E {
	switch {
	case !present:
		return nil
	case list == nil:
		return []E{}
	}
	return list
}

// DeepCopyObject copies p's metadata; the packed rest is shared, read-only
// as every cached object.
func (p *PackedPod) DeepCopyObject() runtime.Object {
	if p == nil {
		return nil
	}
	out := *p
	p.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	return &out
}

// packedPodList is a pod list whose items are packed: what the pods'
// informer lists when it does not stream (transformList).
type packedPodList struct {
	metav1.TypeMeta
	metav1.ListMeta
	Items []PackedPod
}

func (l *packedPodList) DeepCopyObject() runtime.Object {
	if l == nil {
		return nil
	}
	out := &packedPodList{TypeMeta: l.TypeMeta}
	l.ListMeta.DeepCopyInto(&out.ListMeta)
	out.Items = make([]PackedPod, len(l.Items))
	for i := range l.Items {
		out.Items[i] = *l.Items[i].DeepCopyObject().(*PackedPod)
	}
	return out
}

// conditionShape is what a pod's conditions share with other pods': every
// field but the transition times. The pods of a workload at the same point
// of their start have the same shape.
type conditionShape struct {
	types              []corev1.PodConditionType
	statuses           []corev1.ConditionStatus
	reasons, messages  []string
	observedGeneration []int64
}

// packedConditions is a pod's conditions: a shared shape (nil: no
// conditions slice at all) and each condition's last transition.
type packedConditions struct {
	shape       *conditionShape
	transitions []metav1.Time
}

// packConditions packs in into c; it returns false, leaving c empty, when
// in holds something the packed form does not (a probe time).
func packConditions(c *packedConditions, in []corev1.PodCondition) bool {
	if in == nil {
		return true
	}
	for i := range in {
		if !in[i].LastProbeTime.IsZero() {
			return false
		}
	}
	c.shape = conditionShapes.intern(in)
	c.transitions = make([]metav1.Time, len(in))
	for i := range in {
		c.transitions[i] = in[i].LastTransitionTime
	}
	return true
}

// unpack appends the conditions to out.
func (c packedConditions) unpack(out []corev1.PodCondition) []corev1.PodCondition {
	if c.shape == nil {
		return out
	}
	s := c.shape
	out = slices.Grow(out, len(s.types))
	for i := range s.types {
		out = append(out, corev1.PodCondition{
			Type:               s.types[i],
			ObservedGeneration: s.observedGeneration[i],
			Status:             s.statuses[i],
			LastTransitionTime: c.transitions[i],
			Reason:             s.reasons[i],
			Message:            s.messages[i],
		})
	}
	return out
}

// statusShape is what a list of container statuses shares with other
// pods': the containers' names, images and image IDs.
type statusShape struct {
	names, images, imageIDs []string
}

// packedStatus is one container's status less its shape.
type packedStatus struct {
	state, last  corev1.ContainerState
	containerID  string
	restartCount int32
	ready        bool
	started      int8 // started unset (0), false (1) or true (2)
}

// packedStatuses is a list of container statuses: a shared shape (nil: no
// list at all) and each container's own part.
type packedStatuses struct {
	shape *statusShape
	each  []packedStatus
}

func packStatuses(in []corev1.ContainerStatus) packedStatuses {
	if in == nil {
		return packedStatuses{}
	}
	out := packedStatuses{shape: statusShapes.intern(in), each: make([]packedStatus, len(in))}
	for i := range in {
		s := &in[i]
		e := &out.each[i]
		e.state = stripState(s.State, s.ContainerID)
		e.last = stripState(s.LastTerminationState, s.ContainerID)
		e.containerID = s.ContainerID
		e.restartCount = s.RestartCount
		e.ready = s.Ready
		switch {
		case s.Started == nil:
		case *s.Started:
			e.started = 2
		default:
			e.started = 1
		}
	}
	return out
}

// unpack appends the statuses to out.
func (ps packedStatuses) unpack(out []corev1.ContainerStatus) []corev1.ContainerStatus {
	if ps.shape == nil {
		return out
	}
	out = slices.Grow(out, len(ps.each))
	for i := range ps.each {
		e := &ps.each[i]
		out = append(out, corev1.ContainerStatus{
			Name:                 ps.shape.names[i],
			State:                e.state,
			LastTerminationState: e.last,
			Ready:                e.ready,
			RestartCount:         e.restartCount,
			Image:                ps.shape.images[i],
			ImageID:              ps.shape.imageIDs[i],
			ContainerID:          e.containerID,
		})
		switch e.started {
		case 1:
			out[len(out)-1].Started = &sharedFalse
		case 2:
			out[len(out)-1].Started = &sharedTrue
		}
	}
	return out
}

var (
	conditionShapes = &shapeInterner[corev1.PodCondition, conditionShape]{
		key: appendConditionShapeKey, build: buildConditionShape}
	statusShapes = &shapeInterner[corev1.ContainerStatus, statusShape]{
		key: appendStatusShapeKey, build: buildStatusShape}
)

// shapeInterner hands out one shared shape for lists that have the same
// one, built by build when there is none yet; key appends an exact key
// (equal keys mean equal shapes).
type shapeInterner[E, S any] struct {
	key   func([]byte, []E) []byte
	build func([]E) *S

	mu     sync.Mutex
	shapes map[string]*S
}

func (si *shapeInterner[E, S]) intern(in []E) *S {
	buf := keyBuffers.Get().(*[]byte)
	defer keyBuffers.Put(buf)
	k := si.key((*buf)[:0], in)
	*buf = k
	si.mu.Lock()
	defer si.mu.Unlock()
	if shared, ok := si.shapes[string(k)]; ok {
		return shared
	}
	if si.shapes == nil || len(si.shapes) >= maxInterned {
		si.shapes = make(map[string]*S)
	}
	shared := si.build(in)
	si.shapes[string(k)] = shared
	return shared
}

func (si *shapeInterner[E, S]) reset() {
	si.mu.Lock()
	defer si.mu.Unlock()
	si.shapes = nil
}

func appendConditionShapeKey(b []byte, in []corev1.PodCondition) []byte {
	b = appendInt64(b, int64(len(in)))
	for i := range in {
		c := &in[i]
		for _, s := range [...]string{string(c.Type), string(c.Status), c.Reason, c.Message} {
			b = appendLenString(b, s)
		}
		b = appendInt64(b, c.ObservedGeneration)
	}
	return b
}

func buildConditionShape(in []corev1.PodCondition) *conditionShape {
	s := &conditionShape{
		types:              make([]corev1.PodConditionType, len(in)),
		statuses:           make([]corev1.ConditionStatus, len(in)),
		reasons:            make([]string, len(in)),
		messages:           make([]string, len(in)),
		observedGeneration: make([]int64, len(in)),
	}
	for i := range in {
		c := &in[i]
		s.types[i] = corev1.PodConditionType(internString(string(c.Type)))
		s.statuses[i] = corev1.ConditionStatus(internString(string(c.Status)))
		s.reasons[i] = internString(c.Reason)
		s.messages[i] = internString(c.Message)
		s.observedGeneration[i] = c.ObservedGeneration
	}
	return s
}

func appendStatusShapeKey(b []byte, in []corev1.ContainerStatus) []byte {
	b = appendInt64(b, int64(len(in)))
	for i := range in {
		s := &in[i]
		b = appendLenString(b, s.Name)
		b = appendLenString(b, s.Image)
		b = appendLenString(b, s.ImageID)
	}
	return b
}

func buildStatusShape(in []corev1.ContainerStatus) *statusShape {
	s := &statusShape{
		names:    make([]string, len(in)),
		images:   make([]string, len(in)),
		imageIDs: make([]string, len(in)),
	}
	for i := range in {
		s.names[i] = internString(in[i].Name)
		s.images[i] = internString(in[i].Image)
		s.imageIDs[i] = internString(in[i].ImageID)
	}
	return s
}

// appendLenString appends s after its length, so that no two lists of
// strings make the same key.
func appendLenString(b []byte, s string) []byte {
	b = appendInt64(b, int64(len(s)))
	return append(b, s...)
}

func appendInt64(b []byte, v int64) []byte {
	for range 8 {
		b = append(b, byte(v))
		v >>= 8
	}
	return b
}

// Every decoded *bool is an allocation of its own: the statuses a packed
// pod unpacks to point at these two instead (read-only, as the whole pod).
var (
	sharedTrue  = true
	sharedFalse = false
)
