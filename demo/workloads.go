package demo

import (
	"fmt"
	"maps"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/initwatch/initwatch/kube"
)

// newPod builds a pod object with the defaults the apiserver fills in.
func (c *Cluster) newPod(ns, name string, labels map[string]string, spec corev1.PodSpec, owner *metav1.OwnerReference) *corev1.Pod {
	applyDefaults(&spec)
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: c.uid(), Labels: labels},
		Spec:       spec,
	}
	if owner != nil {
		pod.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	return pod
}

func controllerRef(kind, name string, owner metav1.Object) *metav1.OwnerReference {
	yes := true
	return &metav1.OwnerReference{
		APIVersion: "apps/v1", Kind: kind, Name: name, UID: owner.GetUID(),
		Controller: &yes, BlockOwnerDeletion: &yes,
	}
}

// applyDefaults sets what the apiserver's defaulting and admission add to
// every pod, so the objects look like the ones a real cluster serves.
func applyDefaults(spec *corev1.PodSpec) {
	if spec.RestartPolicy == "" {
		spec.RestartPolicy = corev1.RestartPolicyAlways
	}
	grace := int64(30)
	seconds := int64(300)
	yes := true
	priority := int32(0)
	preempt := corev1.PreemptLowerPriority
	spec.DNSPolicy = corev1.DNSClusterFirst
	spec.SchedulerName = corev1.DefaultSchedulerName
	spec.ServiceAccountName = "default"
	spec.DeprecatedServiceAccount = "default"
	spec.TerminationGracePeriodSeconds = &grace
	spec.SecurityContext = &corev1.PodSecurityContext{}
	spec.EnableServiceLinks = &yes
	spec.Priority = &priority
	spec.PreemptionPolicy = &preempt
	spec.Tolerations = []corev1.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds},
		{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds},
	}
	spec.Volumes = append(spec.Volumes, corev1.Volume{Name: "kube-api-access", VolumeSource: corev1.VolumeSource{
		Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token"}},
		}},
	}})
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			k := &list[i]
			if k.TerminationMessagePath == "" {
				k.TerminationMessagePath = corev1.TerminationMessagePathDefault
			}
			if k.TerminationMessagePolicy == "" {
				k.TerminationMessagePolicy = corev1.TerminationMessageReadFile
			}
			if k.ImagePullPolicy == "" {
				k.ImagePullPolicy = corev1.PullIfNotPresent
			}
			k.VolumeMounts = append(k.VolumeMounts, corev1.VolumeMount{
				Name: "kube-api-access", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true,
			})
		}
	}
}

// rollout is a Deployment whose pod template changed: the deployment
// controller scales a new ReplicaSet up and the old one down within
// maxSurge and maxUnavailable, as new pods turn Ready.
type rollout struct {
	c                   *Cluster
	ns, name            string
	replicas            int
	surge, unavailable  int
	labels              map[string]string
	spec                func(version string) corev1.PodSpec
	oldVersion, version string
	// plan is the plan of the i-th new pod.
	plan func(i int) *podPlan
	// oldPlan is the plan of the pods already running (they only log).
	oldPlan func() *podPlan

	deploy       *appsv1.Deployment
	oldRS, newRS *appsv1.ReplicaSet
	old          []*simPod
	created      int
	ready        int
}

// setup creates the Deployment at its first revision and the pods of that
// revision, running for days already.
func (r *rollout) setup() {
	c := r.c
	created := c.start.Add(-time.Duration(30+c.rng.IntN(20)) * 24 * time.Hour).Truncate(time.Second)
	surge, unavailable := intstr.FromString("25%"), intstr.FromString("25%")
	replicas := int32(r.replicas)
	r.deploy = &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: r.ns, Name: r.name, UID: c.uid(), Generation: 1,
			CreationTimestamp: metav1.NewTime(created), Labels: map[string]string{"app": r.name},
			Annotations: map[string]string{"deployment.kubernetes.io/revision": "1"},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": r.name}},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: r.labels}, Spec: r.spec(r.oldVersion)},
		},
	}
	c.createDeployment(r.deploy)
	r.oldRS = r.replicaSet(r.oldVersion, r.replicas, "1", created)
	c.writeReplicaSet(r.oldRS, true)
	podsCreated := c.start.Add(-time.Duration(2*24+c.rng.IntN(48)) * time.Hour)
	for range r.replicas {
		p := r.pod(r.oldRS, r.oldVersion, r.oldPlan())
		c.restore(p, podsCreated.Add(c.jitter(0, 20*time.Second)))
		r.old = append(r.old, p)
	}
	r.setStatus(podsCreated.Add(time.Minute))
	c.updateDeployment(r.deploy)
}

// setStatus is the deployment controller's status: what it counts of the
// pods it created, the revision it rolls out, and its conditions, so that
// `kubectl rollout status` on the demo reads as on a real cluster.
func (r *rollout) setStatus(at time.Time) {
	d := r.deploy
	old, created, newReady := len(r.old), r.created, r.ready
	if r.newRS == nil {
		// Before a rollout every pod is of the newest revision.
		old, created, newReady = 0, len(r.old), len(r.old)
	}
	n := func(v int) int32 { return int32(v) }
	ready := newReady + old
	d.Status.ObservedGeneration = d.Generation
	d.Status.Replicas = n(old + created)
	d.Status.UpdatedReplicas = n(created)
	d.Status.ReadyReplicas = n(ready)
	d.Status.AvailableReplicas = n(ready)
	d.Status.UnavailableReplicas = n(max(r.replicas-ready, 0))
	stamp := metav1.NewTime(at.Truncate(time.Second))
	available := corev1.ConditionFalse
	availableReason := "MinimumReplicasUnavailable"
	if ready >= r.replicas-r.unavailable {
		available, availableReason = corev1.ConditionTrue, "MinimumReplicasAvailable"
	}
	rsName := ""
	if rs := r.newRS; rs != nil {
		rsName = rs.Name
	} else if r.oldRS != nil {
		rsName = r.oldRS.Name
	}
	progressing := "ReplicaSetUpdated"
	progressMsg := fmt.Sprintf("ReplicaSet %q is progressing.", rsName)
	if created >= r.replicas && old == 0 && newReady >= r.replicas {
		progressing = "NewReplicaSetAvailable"
		progressMsg = fmt.Sprintf("ReplicaSet %q has successfully progressed.", rsName)
	}
	d.Status.Conditions = []appsv1.DeploymentCondition{
		{Type: appsv1.DeploymentAvailable, Status: available, Reason: availableReason,
			Message: "Deployment has minimum availability.", LastUpdateTime: stamp, LastTransitionTime: stamp},
		{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: progressing,
			Message: progressMsg, LastUpdateTime: stamp, LastTransitionTime: stamp},
	}
	if available == corev1.ConditionFalse {
		d.Status.Conditions[0].Message = "Deployment does not have minimum availability."
	}
}

func (r *rollout) replicaSet(version string, replicas int, revision string, created time.Time) *appsv1.ReplicaSet {
	c := r.c
	hash := c.randString(10)
	labels := maps.Clone(r.labels)
	labels["pod-template-hash"] = hash
	n := int32(replicas)
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: r.ns, Name: r.name + "-" + hash, UID: c.uid(), Generation: 1,
			CreationTimestamp: metav1.NewTime(created), Labels: labels,
			Annotations:     map[string]string{"deployment.kubernetes.io/revision": revision},
			OwnerReferences: []metav1.OwnerReference{*controllerRef("Deployment", r.name, r.deploy)},
		},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: &n,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: r.spec(version)},
		},
		Status: appsv1.ReplicaSetStatus{Replicas: n, ReadyReplicas: n, AvailableReplicas: n},
	}
}

func (r *rollout) pod(rs *appsv1.ReplicaSet, version string, plan *podPlan) *simPod {
	c := r.c
	labels := maps.Clone(rs.Spec.Template.Labels)
	pod := c.newPod(r.ns, rs.Name+"-"+c.randString(5), labels, r.spec(version), controllerRef("ReplicaSet", rs.Name, rs))
	pod.GenerateName = rs.Name + "-"
	return newSimPod(c, pod, plan)
}

func (r *rollout) ref(kind string, obj metav1.Object) ref {
	return ref{kind: kind, apiVersion: "apps/v1", namespace: r.ns, name: obj.GetName(), uid: obj.GetUID(), resourceVersion: obj.GetResourceVersion()}
}

// begin is `kubectl apply` of the new template: revision 2.
func (r *rollout) begin() {
	c := r.c
	r.deploy.Generation++
	r.deploy.Annotations["deployment.kubernetes.io/revision"] = "2"
	r.deploy.Spec.Template.Spec = r.spec(r.version)
	r.newRS = r.replicaSet(r.version, 0, "2", c.now().Truncate(time.Second))
	r.newRS.Status = appsv1.ReplicaSetStatus{}
	c.writeReplicaSet(r.newRS, true)
	r.reconcile()
}

// reconcile is one pass of the deployment controller's rolling update:
// scale the new ReplicaSet up to replicas+maxSurge minus the old pods, and
// the old one down as far as maxUnavailable allows.
func (r *rollout) reconcile() {
	c := r.c
	for {
		changed := false
		want := min(r.replicas, r.replicas+r.surge-len(r.old))
		if want > r.created {
			r.scale(r.newRS, r.created, want)
			for r.created < want {
				i := r.created
				r.created++
				p := r.pod(r.newRS, r.version, r.plan(i))
				p.onReady = func(*simPod) { r.ready++; r.reconcile() }
				// The ReplicaSet controller creates a batch within moments.
				c.after(c.jitter(0, 300*time.Millisecond), func() {
					c.submit(p, managerController)
					c.events.controller(r.ref("ReplicaSet", r.newRS), "replicaset-controller",
						corev1.EventTypeNormal, "SuccessfulCreate", "Created pod: "+p.pod.Name)
				})
			}
			changed = true
		}
		excess := len(r.old) + r.ready - (r.replicas - r.unavailable)
		if n := min(excess, len(r.old)); n > 0 {
			r.scale(r.oldRS, len(r.old), len(r.old)-n)
			for _, p := range r.old[:n] {
				c.events.controller(r.ref("ReplicaSet", r.oldRS), "replicaset-controller",
					corev1.EventTypeNormal, "SuccessfulDelete", "Deleted pod: "+p.pod.Name)
				p.terminate()
			}
			r.old = r.old[n:]
			changed = true
		}
		if !changed {
			r.setStatus(c.now())
			c.updateDeployment(r.deploy)
			return
		}
	}
}

func (r *rollout) scale(rs *appsv1.ReplicaSet, from, to int) {
	c := r.c
	verb := "up"
	if to < from {
		verb = "down"
	}
	n := int32(to)
	rs.Spec.Replicas = &n
	rs.Generation++
	c.writeReplicaSet(rs, false)
	c.events.controller(r.ref("Deployment", r.deploy), "deployment-controller", corev1.EventTypeNormal,
		"ScalingReplicaSet", fmt.Sprintf("Scaled %s replica set %s from %d to %d", verb, rs.Name, from, to))
}

// restore makes p a pod that has been running since created: scheduled,
// initialized, every init container completed once, with their logs, and
// app containers and sidecars still running and writing.
func (c *Cluster) restore(p *simPod, created time.Time) {
	created = created.Truncate(time.Second)
	p.pod.CreationTimestamp = metav1.NewTime(created)
	p.pod.Generation = 1
	p.node = c.nodes[c.rng.IntN(len(c.nodes))]
	p.pod.Spec.NodeName = p.node.name
	p.admitted, p.sandbox = true, true
	stamp := func(t time.Time) metav1.Time { return metav1.NewTime(t.Truncate(time.Second)) }
	start := stamp(created.Add(time.Second))
	ip := p.node.allocIP()
	p.pod.Status = corev1.PodStatus{
		Phase: corev1.PodRunning, QOSClass: qosClass(&p.pod.Spec), StartTime: &start, ObservedGeneration: 1,
		HostIP: p.node.hostIP, HostIPs: []corev1.HostIP{{IP: p.node.hostIP}},
		PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}},
	}
	cur := created.Add(2 * time.Second)
	initDone := cur
	for _, k := range p.ctrs {
		p.node.images[k.spec.Image] = true
		k.runs = 1
		k.token++
		k.containerID = c.containerID()
		k.image = normalizeImage(k.spec.Image)
		k.imageID = imageID(k.spec.Image, c.digest(k.spec.Image))
		k.log = c.logs.open(k.containerID)
		plan := k.plan
		if plan == nil {
			plan = &ctrPlan{}
		}
		run := plan.run(len(plan.runs) - 1) // the run that succeeds
		if k.init && !k.sidecar {
			d := max(run.exitAfter, time.Second)
			k.state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: reasonCompleted, StartedAt: stamp(cur), FinishedAt: stamp(cur.Add(d)), ContainerID: k.containerID,
			}}
			k.ready = true
			k.writePast(run, cur, cur.Add(d))
			k.log.finish()
			cur = cur.Add(d + time.Second)
			initDone = cur
			continue
		}
		since := cur
		if !k.sidecar {
			since = initDone
		}
		k.state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: stamp(since)}}
		k.running, k.started, k.ready = true, true, true
		k.writePast(run, since, c.start)
		if k.sidecar {
			cur = cur.Add(2 * time.Second)
		}
		if run.every > 0 && run.tick != nil {
			p.tick(k, k.token, run, 0)
		}
	}
	readyAt := stamp(initDone.Add(5 * time.Second))
	cond := func(t corev1.PodConditionType, at metav1.Time) corev1.PodCondition {
		return corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: at, ObservedGeneration: 1}
	}
	p.conds = conditionSet{
		cond(corev1.PodReadyToStartContainers, stamp(created.Add(2*time.Second))),
		cond(corev1.PodInitialized, stamp(initDone)),
		cond(corev1.PodReady, readyAt),
		cond(corev1.ContainersReady, readyAt),
		cond(corev1.PodScheduled, stamp(created)),
	}
	for _, k := range p.ctrs {
		if k.init {
			p.pod.Status.InitContainerStatuses = append(p.pod.Status.InitContainerStatuses, k.status())
		} else {
			p.pod.Status.ContainerStatuses = append(p.pod.Status.ContainerStatuses, k.status())
		}
	}
	p.pod.Status.Conditions = append([]corev1.PodCondition(nil), p.conds...)
	p.wasReady = true
	c.createPod(p.pod, managerController)
}

// writePast fills the log of a run that started at from with the lines it
// wrote before until: its script, and the last of its periodic lines.
func (k *simCtr) writePast(run runPlan, from, until time.Time) {
	if run.lines != nil {
		for _, l := range run.lines(from) {
			if l.Time.Before(until) {
				k.log.append(l)
			}
		}
	}
	if run.every <= 0 || run.tick == nil {
		return
	}
	const backfill = 40
	first := until.Add(-backfill * run.every)
	if first.Before(from) {
		first = from
	}
	n := int(first.Sub(from) / run.every)
	for t := from.Add(time.Duration(n+1) * run.every); t.Before(until); t = t.Add(run.every) {
		k.log.append(kube.LogLine{Time: t, Text: run.tick(n, t)})
		n++
	}
}
