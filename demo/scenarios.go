package demo

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/initwatch/initwatch/kube"
)

// The scenarios, all under way within two minutes of simulated time:
//
//   - default/k8s-init-containers-…: the seed article's app. Four init
//     containers; init-check-services fails three times with exit code 1
//     (the second and third failures put it in CrashLoopBackOff for 10s
//     then 20s) before the services resolve; then the app runs.
//   - default/report-export: restartPolicy Never; its second init container
//     fails for good (Init:Error, phase Failed).
//   - payments/ledger-0: a native sidecar with a startup probe (started
//     false, then true, then ready) before a classic init container.
//   - kube-system/node-agent: a DaemonSet applied at 2s, a pod pinned to
//     each node, each with an init container before the agent.
//   - payments/db-backup: a CronJob whose Job (created at 4s) runs one pod:
//     an init container, then a dump that exits 0; the Job completes.
//   - a release over three namespaces: Deployments storefront (shop, 7
//     pods), checkout (payments, 7) and search-api (search, 6) roll out a
//     new version, 20 new pods starting at staggered times as earlier ones
//     turn Ready, some slow, one unschedulable for a while, replacing pods
//     that have been running for days.
//
// ReleaseUnderway is a moment of the demo when every part of the rollout
// summary shows: storefront's node-local failure signature (its pods in
// back-off), checkout's first new pods in their steps (a native sidecar
// among them), old revisions draining, the failed one-shot pod, the seed
// app's crash-looping step.
const ReleaseUnderway = 20 * time.Second

// Scenario timings (seconds after the start).
const (
	seedAppAt   = 1 * time.Second
	reportAt    = 3 * time.Second
	ledgerAt    = 5 * time.Second
	shopAt      = 8 * time.Second
	paymentsAt  = 16 * time.Second
	searchAt    = 24 * time.Second
	seedFailing = 3 // failed runs of init-check-services before it succeeds
)

// failedMigrations is how many times db-migrate fails with FailRelease:
// more than a demo lasts, given the kubelet's back-off.
const failedMigrations = 40

// Namespaces of the demo cluster.
var demoNamespaces = []string{"default", "kube-system", "shop", "payments", "search"}

func setupScenarios(c *Cluster) {
	for _, ns := range demoNamespaces {
		c.createNamespace(ns)
	}
	c.addNodes()
	rollouts := []*rollout{storefront(c), checkout(c), searchAPI(c)}
	for _, r := range rollouts {
		r.setup()
	}
	c.after(nodeAgentAt, func() { nodeAgent(c) })
	c.after(backupAt, func() { backup(c) })
	c.after(seedAppAt, func() { seedApp(c) })
	c.after(reportAt, func() { reportExport(c) })
	c.after(ledgerAt, func() { ledger(c) })
	for i, at := range []time.Duration{shopAt, paymentsAt, searchAt} {
		r := rollouts[i]
		c.after(at, r.begin)
	}
}

// Container and probe builders.

func ctr(name, image string, command ...string) corev1.Container {
	return corev1.Container{Name: name, Image: image, Command: command}
}

func env(k corev1.Container, kv ...string) corev1.Container {
	for i := 0; i+1 < len(kv); i += 2 {
		k.Env = append(k.Env, corev1.EnvVar{Name: kv[i], Value: kv[i+1]})
	}
	return k
}

func resources(k corev1.Container, cpu, memory, cpuLimit, memoryLimit string) corev1.Container {
	k.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory)}
	if cpuLimit != "" || memoryLimit != "" {
		k.Resources.Limits = corev1.ResourceList{}
		if cpuLimit != "" {
			k.Resources.Limits[corev1.ResourceCPU] = resource.MustParse(cpuLimit)
		}
		if memoryLimit != "" {
			k.Resources.Limits[corev1.ResourceMemory] = resource.MustParse(memoryLimit)
		}
	}
	return k
}

func sidecar(k corev1.Container) corev1.Container {
	always := corev1.ContainerRestartPolicyAlways
	k.RestartPolicy = &always
	return k
}

func httpProbe(path string, port, period, failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(port), Scheme: corev1.URISchemeHTTP}},
		PeriodSeconds:    period,
		FailureThreshold: failures,
		SuccessThreshold: 1,
		TimeoutSeconds:   1,
	}
}

func port(k corev1.Container, p int32) corev1.Container {
	k.Ports = append(k.Ports, corev1.ContainerPort{ContainerPort: p, Protocol: corev1.ProtocolTCP})
	return k
}

// once is a run that exits with code after d.
func once(d time.Duration, code int32, lines func(time.Time) []kube.LogLine) runPlan {
	return runPlan{exitAfter: d, exitCode: code, lines: lines}
}

// standard timings of a pod's first steps.
func (c *Cluster) basePlan() *podPlan {
	return &podPlan{
		schedule:   c.jitter(200*time.Millisecond, 900*time.Millisecond),
		admit:      c.jitter(300*time.Millisecond, 800*time.Millisecond),
		sandbox:    c.jitter(800*time.Millisecond, 1800*time.Millisecond),
		node:       -1,
		containers: map[string]*ctrPlan{},
	}
}

// seedApp is loft-sh/k8s-init-containers, deployed as in its devspace.yaml.
func seedApp(c *Cluster) {
	const ns, name = "default", "k8s-init-containers"
	initImage, appImage := "loftsh/app-init:kxPrHjW", "loftsh/app:sNKfQGb"
	labels := map[string]string{
		"app.kubernetes.io/component":  name,
		"app.kubernetes.io/managed-by": "Helm",
		"app.kubernetes.io/name":       "devspace-app",
	}
	dataMount := func(k corev1.Container, readOnly bool) corev1.Container {
		k.VolumeMounts = append(k.VolumeMounts, corev1.VolumeMount{Name: "app-data", MountPath: "/data", ReadOnly: readOnly})
		return k
	}
	// The seed's resource rule at work: init-fetch-files unpacks the public
	// files in memory, so the init side sets the pod's memory (384Mi > the
	// app's 192Mi), while the app sets its CPU (500m > init's 100m at most).
	check := func(k corev1.Container) corev1.Container { return resources(k, "50m", "32Mi", "100m", "64Mi") }
	spec := corev1.PodSpec{
		InitContainers: []corev1.Container{
			resources(dataMount(env(ctr("init-fetch-files", initImage, "fetchFiles.sh"), "PUBLIC_ROOT", "/data/public"), false), "100m", "384Mi", "250m", "512Mi"),
			check(env(ctr("init-check-services", initImage, "checkServices.sh"), "APP_NAME", "app", "SERVICES", "app-redis,app-postgresql,app-mongodb")),
			check(env(ctr("init-check-database", initImage, "checkDatabase.sh"), "APP_NAME", "app", "DB_SERVICE", "app-postgresql")),
			check(env(ctr("init-check-cache", initImage, "checkCache.sh"), "APP_NAME", "app", "CACHE_SERVICE", "app-redis")),
		},
		Containers: []corev1.Container{resources(dataMount(env(ctr("app", appImage), "APP_NAME", "app"), true), "500m", "192Mi", "1", "256Mi")},
		Volumes: []corev1.Volume{{Name: "app-data", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "app-data"},
		}}},
	}

	replicas := int32(1)
	deploy := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: c.uid(), Generation: 1,
			CreationTimestamp: c.stamp(), Labels: labels,
			Annotations: map[string]string{"deployment.kubernetes.io/revision": "1"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}
	c.createDeployment(deploy)
	r := &rollout{c: c, ns: ns, name: name, labels: labels, deploy: deploy,
		spec: func(string) corev1.PodSpec { return *spec.DeepCopy() }}
	rs := r.replicaSet("", 1, "1", c.now())
	c.writeReplicaSet(rs, true)
	c.events.controller(r.ref("Deployment", deploy), "deployment-controller", corev1.EventTypeNormal,
		"ScalingReplicaSet", fmt.Sprintf("Scaled up replica set %s from 0 to 1", rs.Name))

	plan := c.basePlan()
	plan.containers["init-fetch-files"] = &ctrPlan{pull: c.jitter(4*time.Second, 6*time.Second), imageSize: 48_213_504,
		runs: []runPlan{once(900*time.Millisecond, 0, fetchFilesScript())}}
	var runs []runPlan
	missing := [][]string{{"app-redis"}, {"app-redis", "app-mongodb"}, {"app-redis"}}
	for i := range seedFailing {
		runs = append(runs, once(c.jitter(1500*time.Millisecond, 2500*time.Millisecond), 1, checkServicesScript(ns, missing[i%len(missing)]...)))
	}
	runs = append(runs, once(1800*time.Millisecond, 0, checkServicesScript(ns)))
	plan.containers["init-check-services"] = &ctrPlan{runs: runs}
	refused := 3 + c.rng.IntN(3)
	plan.containers["init-check-database"] = &ctrPlan{runs: []runPlan{
		once(time.Duration(refused)*time.Second+600*time.Millisecond, 0, checkDatabaseScript(ns, refused))}}
	plan.containers["init-check-cache"] = &ctrPlan{runs: []runPlan{once(700*time.Millisecond, 0, checkCacheScript(ns))}}
	plan.containers["app"] = &ctrPlan{pull: c.jitter(3*time.Second, 5*time.Second), imageSize: 7_340_032, runs: []runPlan{seedAppRun()}}

	p := r.pod(rs, "", plan)
	// The deployment controller's view: one replica, updated, not ready
	// until the pod is.
	r.replicas, r.newRS, r.oldRS = 1, rs, rs
	r.created = 1
	r.setStatus(c.now())
	c.updateDeployment(deploy)
	p.onReady = func(*simPod) {
		r.ready = 1
		r.setStatus(c.now())
		c.updateDeployment(deploy)
	}
	c.submit(p, managerController)
	c.events.controller(r.ref("ReplicaSet", rs), "replicaset-controller", corev1.EventTypeNormal,
		"SuccessfulCreate", "Created pod: "+p.pod.Name)
}

// reportExport is a one-shot pod (restartPolicy Never) whose dataset is not
// there: its init container fails once and for all.
func reportExport(c *Cluster) {
	const ns, name = "default", "report-export"
	day := c.now().UTC().Format("2006-01-02")
	url := fmt.Sprintf("https://warehouse.acme.internal/exports/%s/orders.parquet", day)
	fetch := env(ctr("fetch-dataset", "curlimages/curl:8.9.1", "curl", "-fSL", "-o", "/data/orders.parquet", url))
	fetch.TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
	spec := corev1.PodSpec{
		RestartPolicy: corev1.RestartPolicyNever,
		InitContainers: []corev1.Container{
			resources(ctr("check-bucket", "amazon/aws-cli:2.17.0", "aws", "s3", "ls", "s3://acme-reports/exports/"), "100m", "128Mi", "", ""),
			resources(fetch, "200m", "256Mi", "", "1Gi"),
		},
		Containers: []corev1.Container{
			resources(ctr("export", "python:3.12-slim", "python", "/app/export.py", "--date", day), "500m", "512Mi", "1", "1Gi"),
		},
	}
	plan := c.basePlan()
	plan.containers["check-bucket"] = &ctrPlan{pull: c.jitter(5*time.Second, 7*time.Second), imageSize: 143_654_912,
		runs: []runPlan{once(1500*time.Millisecond, 0, checkBucketScript("acme-reports"))}}
	plan.containers["fetch-dataset"] = &ctrPlan{pull: c.jitter(1500*time.Millisecond, 2500*time.Millisecond), imageSize: 12_150_784,
		runs: []runPlan{once(1600*time.Millisecond, 22, fetchDatasetScript(url))}}
	plan.containers["export"] = &ctrPlan{runs: []runPlan{{}}}
	pod := c.newPod(ns, name, map[string]string{"app": name, "job-date": day}, spec, nil)
	c.submit(newSimPod(c, pod, plan), managerKubectl)
}

// ledger is a StatefulSet pod whose mesh proxy is a native sidecar: the
// classic init container waits for the proxy's startup probe.
func ledger(c *Cluster) {
	const ns, name = "payments", "ledger"
	revision := name + "-" + c.randString(10)
	labels := map[string]string{"app": name, "apps.kubernetes.io/pod-index": "0", "statefulset.kubernetes.io/pod-name": name + "-0",
		appsv1.ControllerRevisionHashLabelKey: revision}
	proxy := sidecar(port(resources(ctr("mesh-proxy", "envoyproxy/envoy:v1.31.2", "envoy", "-c", "/etc/envoy/envoy.yaml"),
		"100m", "128Mi", "", "256Mi"), 15021))
	proxy.StartupProbe = httpProbe("/healthz/ready", 15021, 2, 30)
	proxy.ReadinessProbe = httpProbe("/healthz/ready", 15021, 5, 3)
	app := port(resources(ctr("ledger", "ghcr.io/acme/ledger:2.4.1"), "250m", "256Mi", "1", "512Mi"), 8080)
	app.ReadinessProbe = httpProbe("/readyz", 8080, 5, 3)
	spec := corev1.PodSpec{
		Hostname: name + "-0", Subdomain: name,
		InitContainers: []corev1.Container{
			proxy,
			resources(ctr("init-schema", "ghcr.io/acme/ledger-migrate:2.4.1", "/migrate", "up"), "100m", "64Mi", "", ""),
		},
		Containers: []corev1.Container{app},
	}
	replicas, partition := int32(1), int32(0)
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: c.uid(), Generation: 1, CreationTimestamp: c.stamp()},
		Spec: appsv1.StatefulSetSpec{Replicas: &replicas, ServiceName: name,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}}, Spec: spec},
			// What the apiserver's defaulting sets.
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: &partition}},
			PodManagementPolicy: appsv1.OrderedReadyPodManagement},
		// The statefulset controller's status once it created the pod.
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 1, Replicas: 1, CurrentReplicas: 1, UpdatedReplicas: 1,
			CurrentRevision: revision, UpdateRevision: revision},
	}
	c.createStatefulSet(sts)

	startup := c.jitter(9*time.Second, 13*time.Second)
	plan := c.basePlan()
	plan.containers["mesh-proxy"] = &ctrPlan{pull: c.jitter(3*time.Second, 5*time.Second), imageSize: 58_720_256,
		runs: []runPlan{meshProxyRun(startup)}, startup: startup, probePeriod: 2 * time.Second, ready: 3 * time.Second, stop: 2 * time.Second}
	plan.containers["init-schema"] = &ctrPlan{pull: c.jitter(2*time.Second, 3*time.Second), imageSize: 21_495_808,
		runs: []runPlan{once(2600*time.Millisecond, 0, initSchemaScript())}}
	plan.containers["ledger"] = &ctrPlan{pull: c.jitter(3*time.Second, 4*time.Second), imageSize: 31_457_280, ready: 4 * time.Second,
		runs: []runPlan{serviceRun(name, "2.4.1", 4*time.Second, func(n int) (string, []any) {
			return "settled batch", []any{"batch", 8812 + n, "entries", 40 + (n*7)%23}
		})}}
	pod := c.newPod(ns, name+"-0", labels, spec, controllerRef("StatefulSet", name, sts))
	sp := newSimPod(c, pod, plan)
	sp.onReady = func(*simPod) {
		sts.Status.ReadyReplicas, sts.Status.AvailableReplicas = 1, 1
		c.updateStatefulSet(sts)
	}
	c.submit(sp, managerController)
	c.events.controller(ref{kind: "StatefulSet", apiVersion: "apps/v1", namespace: ns, name: name, uid: sts.UID},
		"statefulset-controller", corev1.EventTypeNormal, "SuccessfulCreate",
		fmt.Sprintf("create Pod %s-0 in StatefulSet %s successful", name, name))
}

// slowOnes picks which of n new pods are slow (k of them).
func (c *Cluster) slowOnes(n, k int) map[int]bool {
	slow := map[int]bool{}
	for len(slow) < k {
		slow[c.rng.IntN(n)] = true
	}
	return slow
}

// The release's one node-local fault: the first badDNSPods new storefront
// pods land on node badDNSNode, whose resolver cannot resolve the CDN, so
// fetch-assets fails there twice (exit code 1) before it works: one failure
// signature, all its pods on one node.
const (
	badDNSNode = 1
	badDNSPods = 3
)

// fetchAssets is storefront's first init container; its termination
// message is the tail of its log when it fails, as a real one would be set.
func fetchAssets(version string) corev1.Container {
	k := resources(ctr("fetch-assets", "busybox:1.36", "sh", "-c", "wget -O assets.tar.gz https://cdn.acme.internal/storefront/"+version+"/assets.tar.gz && tar xzf assets.tar.gz -C /srv/www"), "50m", "32Mi", "", "")
	k.TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
	return k
}

func storefront(c *Cluster) *rollout {
	const replicas = 7
	slow := c.slowOnes(replicas, 2)
	spec := func(version string) corev1.PodSpec {
		web := port(resources(ctr("web", "ghcr.io/acme/storefront:"+version), "100m", "128Mi", "500m", "256Mi"), 8080)
		web.ReadinessProbe = httpProbe("/healthz", 8080, 2, 3)
		return corev1.PodSpec{
			InitContainers: []corev1.Container{
				fetchAssets(version),
				resources(ctr("render-templates", "ghcr.io/acme/storefront-tools:"+version, "render", "/srv/www/templates"), "200m", "64Mi", "", ""),
			},
			Containers: []corev1.Container{web},
		}
	}
	plan := func(version string, slowPod, badDNS bool) *podPlan {
		p := c.basePlan()
		fetch := c.jitter(2500*time.Millisecond, 4*time.Second)
		if slowPod {
			fetch = c.jitter(16*time.Second, 22*time.Second)
		}
		p.containers["fetch-assets"] = &ctrPlan{pull: c.jitter(1500*time.Millisecond, 2500*time.Millisecond), imageSize: 2_156_544,
			runs: []runPlan{once(fetch, 0, fetchAssetsScript(version, fetch))}}
		if badDNS {
			// Pinned to the node whose resolver is broken until it is
			// fixed: two failed runs, then the download works.
			p.node = badDNSNode
			fail := once(500*time.Millisecond, 1, fetchAssetsBadDNSScript())
			p.containers["fetch-assets"].runs = []runPlan{fail, fail, once(fetch, 0, fetchAssetsScript(version, fetch))}
		}
		p.containers["render-templates"] = &ctrPlan{pull: c.jitter(2*time.Second, 4*time.Second), imageSize: 18_874_368,
			runs: []runPlan{once(1200*time.Millisecond, 0, renderTemplatesScript(48))}}
		peer := fmt.Sprintf("10.244.%d.1", 1+c.rng.IntN(nodeCount))
		p.containers["web"] = &ctrPlan{pull: c.jitter(2*time.Second, 4*time.Second), imageSize: 24_117_248,
			ready: c.jitter(2*time.Second, 4*time.Second), stop: c.jitter(500*time.Millisecond, 2*time.Second), runs: []runPlan{nginxRun(peer)}}
		return p
	}
	return &rollout{
		c: c, ns: "shop", name: "storefront", replicas: replicas, surge: 2, unavailable: 1,
		labels: map[string]string{"app": "storefront", "tier": "frontend"}, spec: spec,
		oldVersion: "2.13.2", version: "2.14.0",
		plan:    func(i int) *podPlan { return plan("2.14.0", slow[i], i < badDNSPods) },
		oldPlan: func() *podPlan { return plan("2.13.2", false, false) },
	}
}

func checkout(c *Cluster) *rollout {
	const replicas = 7
	slow := c.slowOnes(replicas, 2)
	spec := func(version string) corev1.PodSpec {
		app := port(resources(ctr("checkout", "ghcr.io/acme/checkout:"+version), "250m", "256Mi", "1", "512Mi"), 8080)
		app.ReadinessProbe = httpProbe("/readyz", 8080, 3, 3)
		return corev1.PodSpec{
			InitContainers: []corev1.Container{
				sidecar(resources(ctr("log-shipper", "fluent/fluent-bit:3.1.9"), "50m", "64Mi", "", "128Mi")),
				resources(ctr("wait-for-postgres", "busybox:1.36", "sh", "-c", "until nc -z postgres.payments.svc 5432; do echo waiting for postgres.payments.svc:5432...; sleep 2; done"), "10m", "16Mi", "", ""),
				resources(ctr("db-migrate", "migrate/migrate:v4.17.1", "migrate", "-path", "/migrations", "-database", "$(DATABASE_URL)", "up"), "100m", "64Mi", "", ""),
			},
			Containers: []corev1.Container{app},
		}
	}
	plan := func(version string, slowPod, apply bool) *podPlan {
		p := c.basePlan()
		wait := c.jitter(1500*time.Millisecond, 3*time.Second)
		if slowPod {
			wait = c.jitter(14*time.Second, 20*time.Second)
		}
		p.containers["log-shipper"] = &ctrPlan{pull: c.jitter(2*time.Second, 3*time.Second), imageSize: 38_797_312,
			stop: 800 * time.Millisecond, runs: []runPlan{fluentBitRun()}}
		p.containers["wait-for-postgres"] = &ctrPlan{pull: c.jitter(1500*time.Millisecond, 2500*time.Millisecond), imageSize: 2_156_544,
			runs: []runPlan{once(wait, 0, waitForPostgresScript("postgres.payments.svc", wait))}}
		migrate := []runPlan{once(1100*time.Millisecond, 0, migrateScript(apply))}
		if c.failRelease && version == "7.3.0" {
			// This cluster's schema is dirty: every run of the new
			// version's migration fails, and the pod crash-loops.
			migrate = migrate[:0]
			for range failedMigrations {
				migrate = append(migrate, once(900*time.Millisecond, 1, dirtyMigrateScript()))
			}
		}
		p.containers["db-migrate"] = &ctrPlan{pull: c.jitter(2*time.Second, 3*time.Second), imageSize: 16_777_216,
			runs: migrate}
		p.containers["checkout"] = &ctrPlan{pull: c.jitter(3*time.Second, 5*time.Second), imageSize: 29_360_128,
			ready: c.jitter(3*time.Second, 7*time.Second), stop: c.jitter(time.Second, 3*time.Second),
			runs: []runPlan{serviceRun("checkout", version, 3*time.Second, func(n int) (string, []any) {
				return "order placed", []any{"order", fmt.Sprintf("ord_%06d", 310000+n*7), "items", 1 + n%4}
			})}}
		return p
	}
	return &rollout{
		c: c, ns: "payments", name: "checkout", replicas: replicas, surge: 2, unavailable: 1,
		labels: map[string]string{"app": "checkout", "tier": "backend"}, spec: spec,
		oldVersion: "7.2.5", version: "7.3.0",
		plan:    func(i int) *podPlan { return plan("7.3.0", slow[i], i == 0) },
		oldPlan: func() *podPlan { return plan("7.2.5", false, false) },
	}
}

func searchAPI(c *Cluster) *rollout {
	const replicas = 6
	slow := c.slowOnes(replicas, 1)
	pending := c.rng.IntN(replicas)
	spec := func(version string) corev1.PodSpec {
		app := port(resources(ctr("search-api", "ghcr.io/acme/search-api:"+version), "250m", "512Mi", "1", "1Gi"), 8080)
		app.ReadinessProbe = httpProbe("/ready", 8080, 2, 5)
		return corev1.PodSpec{
			InitContainers: []corev1.Container{
				resources(ctr("download-index", "ghcr.io/acme/index-sync:1.8.0", "index-sync", "--snapshot", "products-v5", "--dest", "/data/index"), "1", "2Gi", "2", "2Gi"),
			},
			Containers: []corev1.Container{app},
		}
	}
	plan := func(version string, slowPod, unschedulable bool) *podPlan {
		p := c.basePlan()
		d := c.jitter(7*time.Second, 11*time.Second)
		pull := c.jitter(3*time.Second, 5*time.Second)
		if slowPod {
			d = c.jitter(26*time.Second, 32*time.Second)
		}
		if unschedulable {
			p.unschedulable = "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
			p.unschedulableFor = c.jitter(10*time.Second, 15*time.Second)
		}
		p.containers["download-index"] = &ctrPlan{pull: pull, imageSize: 45_088_768,
			runs: []runPlan{once(d, 0, downloadIndexScript(d, 912))}}
		p.containers["search-api"] = &ctrPlan{pull: c.jitter(2*time.Second, 4*time.Second), imageSize: 33_554_432,
			ready: c.jitter(3*time.Second, 6*time.Second), stop: c.jitter(time.Second, 2*time.Second),
			runs: []runPlan{serviceRun("search-api", version, 2*time.Second, func(n int) (string, []any) {
				return "query", []any{"q", []string{"red shoes", "usb-c cable", "tent", "desk lamp"}[n%4], "hits", 12 + n%90, "took_ms", 3 + n%17}
			})}}
		return p
	}
	return &rollout{
		c: c, ns: "search", name: "search-api", replicas: replicas, surge: 2, unavailable: 1,
		labels: map[string]string{"app": "search-api", "tier": "backend"}, spec: spec,
		oldVersion: "5.0.3", version: "5.1.0",
		plan:    func(i int) *podPlan { return plan("5.1.0", slow[i], i == pending) },
		oldPlan: func() *podPlan { return plan("5.0.3", false, false) },
	}
}
