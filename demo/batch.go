package demo

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The owner kinds the release does not cover, so that the rollouts view
// shows each kind it resolves: a DaemonSet with a pod on every node, and a
// CronJob whose Job runs a pod to completion. Both finish well before
// ReleaseUnderway, when `initwatch rollouts --demo` prints its summary.
const (
	nodeAgentAt = 2 * time.Second
	backupAt    = 4 * time.Second
)

// Names the scenarios give their objects, for the tests.
const (
	nodeAgentName = "node-agent"
	backupName    = "db-backup"
	// backupSchedule is every six hours on the hour, so the Job the demo
	// creates is named after the last such instant before the start.
	backupSchedule = "0 */6 * * *"
)

func batchControllerRef(kind, name string, owner metav1.Object) *metav1.OwnerReference {
	r := controllerRef(kind, name, owner)
	r.APIVersion = "batch/v1"
	return r
}

// nodeAgent is a DaemonSet just applied: the daemonset controller creates
// one pod per node at once, each pinned to its node, each initialising its
// config before the agent starts.
func nodeAgent(c *Cluster) {
	const ns, name = "kube-system", nodeAgentName
	revision := c.randString(10)
	labels := map[string]string{"app": name}
	spec := corev1.PodSpec{
		InitContainers: []corev1.Container{
			resources(ctr("init-config", "busybox:1.36", "sh", "-c", "cp /config-template/agent.yaml /etc/agent/ && hostname >> /etc/agent/agent.yaml"), "10m", "16Mi", "", ""),
		},
		Containers: []corev1.Container{
			resources(ctr("agent", "ghcr.io/acme/node-agent:0.9.4", "/agent", "--config", "/etc/agent/agent.yaml"), "50m", "64Mi", "200m", "128Mi"),
		},
	}
	unavailable, surge := intstr.FromInt32(1), intstr.FromInt32(0)
	nodes := int32(len(c.nodes))
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: c.uid(), Generation: 1, CreationTimestamp: c.stamp(),
			Labels: labels, Annotations: map[string]string{"deprecated.daemonset.template.generation": "1"}},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
			// What the apiserver's defaulting sets.
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &unavailable, MaxSurge: &surge}},
			RevisionHistoryLimit: ptr(int32(10)),
		},
		// The daemonset controller's status once it created every pod.
		Status: appsv1.DaemonSetStatus{ObservedGeneration: 1, DesiredNumberScheduled: nodes,
			CurrentNumberScheduled: nodes, UpdatedNumberScheduled: nodes, NumberUnavailable: nodes},
	}
	c.createDaemonSet(ds)
	dsRef := ref{kind: "DaemonSet", apiVersion: "apps/v1", namespace: ns, name: name, uid: ds.UID}
	for i, n := range c.nodes {
		podLabels := map[string]string{"app": name, appsv1.ControllerRevisionHashLabelKey: revision,
			"pod-template-generation": "1"}
		podSpec := *spec.DeepCopy()
		// The controller pins each pod to its node by affinity; the
		// scheduler only confirms it.
		podSpec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{n.name}}},
			}}},
		}}
		pod := c.newPod(ns, name+"-"+c.randString(5), podLabels, podSpec, controllerRef("DaemonSet", name, ds))
		pod.GenerateName = name + "-"
		plan := c.basePlan()
		plan.node = i
		plan.containers["init-config"] = &ctrPlan{pull: c.jitter(1500*time.Millisecond, 2500*time.Millisecond), imageSize: 2_156_544,
			runs: []runPlan{once(c.jitter(400*time.Millisecond, 900*time.Millisecond), 0, initConfigScript(n.name))}}
		plan.containers["agent"] = &ctrPlan{pull: c.jitter(2*time.Second, 3*time.Second), imageSize: 15_728_640,
			runs: []runPlan{serviceRun(name, "0.9.4", 5*time.Second, func(k int) (string, []any) {
				return "scraped", []any{"node", n.name, "series", 1200 + (k*37)%90}
			})}}
		sp := newSimPod(c, pod, plan)
		sp.onReady = func(*simPod) {
			ds.Status.NumberReady++
			ds.Status.NumberAvailable++
			ds.Status.NumberUnavailable--
			c.updateDaemonSet(ds)
		}
		c.submit(sp, managerController)
		c.events.controller(dsRef, "daemonset-controller", corev1.EventTypeNormal, "SuccessfulCreate", "Created pod: "+pod.Name)
	}
}

// backup is a CronJob whose scheduled Job runs one pod: it waits for the
// database, then dumps it and exits, and the Job completes.
func backup(c *Cluster) {
	const ns, name = "payments", backupName
	labels := map[string]string{"app": name}
	spec := corev1.PodSpec{
		RestartPolicy: corev1.RestartPolicyOnFailure,
		InitContainers: []corev1.Container{
			resources(ctr("wait-for-postgres", "busybox:1.36", "sh", "-c", "until nc -z postgres.payments.svc 5432; do sleep 2; done"), "10m", "16Mi", "", ""),
		},
		Containers: []corev1.Container{
			resources(ctr("pg-dump", "postgres:16.4", "sh", "-c", "pg_dump -Fc ledger > /backup/ledger.dump"), "200m", "256Mi", "", "512Mi"),
		},
	}
	one := int32(1)
	cron := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: c.uid(), Generation: 1,
			CreationTimestamp: metav1.NewTime(c.start.Add(-20 * 24 * time.Hour)), Labels: labels},
		Spec: batchv1.CronJobSpec{Schedule: backupSchedule, ConcurrencyPolicy: batchv1.ForbidConcurrent,
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Completions: &one, Parallelism: &one,
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}}}},
	}
	c.createCronJob(cron)

	// The controller names a Job after its scheduled time in minutes.
	scheduled := c.now().Truncate(6 * time.Hour)
	jobName := fmt.Sprintf("%s-%d", name, scheduled.Unix()/60)
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: jobName, UID: c.uid(), Generation: 1, CreationTimestamp: c.stamp(),
			Labels:          labels,
			Annotations:     map[string]string{"batch.kubernetes.io/cronjob-scheduled-timestamp": scheduled.UTC().Format(time.RFC3339)},
			OwnerReferences: []metav1.OwnerReference{*batchControllerRef("CronJob", name, cron)}},
		Spec: batchv1.JobSpec{Completions: &one, Parallelism: &one,
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}},
	}
	c.createJob(job)
	sched := metav1.NewTime(scheduled)
	cron.Status.LastScheduleTime = &sched
	cron.Status.Active = []corev1.ObjectReference{{Kind: "Job", APIVersion: "batch/v1", Namespace: ns, Name: jobName, UID: job.UID}}
	c.updateCronJob(cron)
	c.events.controller(ref{kind: "CronJob", apiVersion: "batch/v1", namespace: ns, name: name, uid: cron.UID},
		"cronjob-controller", corev1.EventTypeNormal, "SuccessfulCreate", "Created job "+jobName)

	podLabels := map[string]string{"app": name, batchv1.JobNameLabel: jobName, batchv1.ControllerUidLabel: string(job.UID),
		"job-name": jobName, "controller-uid": string(job.UID)}
	pod := c.newPod(ns, jobName+"-"+c.randString(5), podLabels, *spec.DeepCopy(), batchControllerRef("Job", jobName, job))
	pod.GenerateName = jobName + "-"
	plan := c.basePlan()
	wait := c.jitter(1500*time.Millisecond, 2500*time.Millisecond)
	plan.containers["wait-for-postgres"] = &ctrPlan{pull: c.jitter(1500*time.Millisecond, 2500*time.Millisecond), imageSize: 2_156_544,
		runs: []runPlan{once(wait, 0, waitForPostgresScript("postgres.payments.svc", wait))}}
	dump := c.jitter(3*time.Second, 5*time.Second)
	plan.containers["pg-dump"] = &ctrPlan{pull: c.jitter(2*time.Second, 3*time.Second), imageSize: 157_286_400,
		runs: []runPlan{once(dump, 0, pgDumpScript(dump))}}
	sp := newSimPod(c, pod, plan)
	sp.onDone = func(*simPod) {
		now := c.stamp()
		job.Status.Active = 0
		job.Status.Succeeded = 1
		job.Status.CompletionTime = &now
		job.Status.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, Reason: batchv1.JobReasonCompletionsReached,
				Message: "Reached expected number of succeeded pods", LastProbeTime: now, LastTransitionTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, Reason: batchv1.JobReasonCompletionsReached,
				Message: "Reached expected number of succeeded pods", LastProbeTime: now, LastTransitionTime: now},
		}
		c.updateJob(job)
		c.events.controller(ref{kind: "Job", apiVersion: "batch/v1", namespace: ns, name: jobName, uid: job.UID},
			"job-controller", corev1.EventTypeNormal, "Completed", "Job completed")
		cron.Status.Active = nil
		cron.Status.LastSuccessfulTime = &now
		c.updateCronJob(cron)
		c.events.controller(ref{kind: "CronJob", apiVersion: "batch/v1", namespace: ns, name: name, uid: cron.UID},
			"cronjob-controller", corev1.EventTypeNormal, "SawCompletedJob", fmt.Sprintf("Saw completed job: %s, condition: Complete", jobName))
	}
	c.submit(sp, managerController)
	started := c.stamp()
	job.Status.StartTime = &started
	job.Status.Active = 1
	job.Status.Ready = ptr(int32(0))
	job.Status.Terminating = ptr(int32(0))
	job.Status.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
	c.updateJob(job)
	c.events.controller(ref{kind: "Job", apiVersion: "batch/v1", namespace: ns, name: jobName, uid: job.UID},
		"job-controller", corev1.EventTypeNormal, "SuccessfulCreate", "Created pod: "+pod.Name)
}

func ptr[T any](v T) *T { return &v }
