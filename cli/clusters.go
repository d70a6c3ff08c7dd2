package cli

import (
	"io"

	"github.com/initwatch/initwatch/config"
	"github.com/initwatch/initwatch/kube"
)

// multiCluster is what watching several contexts at once needs: one
// source merging every cluster's batches, and log streams routed to each
// pod's own cluster.
type multiCluster struct {
	contexts []string
	source   kube.PodSource
	logs     kube.LogSource // nil when env.NewSource replaces the cluster (tests)
}

// newMultiCluster builds a source per context, each resolving its
// credentials as kubectl --context NAME would (exec plugins included; the
// client config is non-interactive). A context whose configuration fails
// (a broken kubeconfig entry) is shown unreachable with the reason and
// retried; it never stops the others.
// configure sets what each cluster's source watches beyond pods (events,
// owners), as the single-cluster form of the command does; Options.Context
// names the cluster it configures.
func newMultiCluster(env *Env, flags *kube.ConfigFlags, contexts []string, configure func(*kube.Options)) *multiCluster {
	newSource := env.NewSource
	if newSource == nil {
		newSource = newClusterSource
	}
	m := &multiCluster{contexts: contexts}
	logs := kube.ContextLogs{}
	clusters := make([]kube.Cluster, 0, len(contexts))
	for _, name := range contexts {
		cf := flags.ForContext(name)
		clusters = append(clusters, kube.Cluster{Context: name, New: func() (kube.PodSource, error) {
			opts, err := cf.SourceOptions()
			if err != nil {
				return nil, err
			}
			opts.Context = name
			if configure != nil {
				configure(&opts)
			}
			return newSource(cf, opts)
		}})
		if env.NewSource == nil {
			// Building a clientset reads the kubeconfig only; credentials
			// (exec plugins) are fetched when a stream is opened.
			if cs, err := cf.Clientset(); err == nil {
				logs[name] = kube.NewLogSource(cs, kube.LogStreamOptions{})
			}
		}
	}
	m.source = kube.NewMultiSource(clusters)
	if env.NewSource == nil {
		m.logs = logs
	}
	return m
}

// openSource is the pod source of a printing command (get, rollouts): the
// kubeconfig's cluster, or every context named by --context, --all-contexts
// or --clusters merged into one. contexts lists them when there are more
// than one (the output then names each row's cluster), nil otherwise.
// configure sets what each source watches beyond pods. A missing
// kubeconfig's error names the demo form of sub.
func openSource(env *Env, flags *kube.ConfigFlags, settings config.Settings, sub string, configure func(*kube.Options)) (src kube.PodSource, contexts []string, err error) {
	// client-go's own log lines would interleave with the output and with
	// the warnings about the same connection problems.
	kube.RedirectClientLogs(io.Discard)
	contexts, err = flags.ResolveContexts(settings.Clusters)
	if err != nil {
		return nil, nil, err
	}
	if len(contexts) > 1 {
		return newMultiCluster(env, flags, contexts, configure).source, contexts, nil
	}
	opts, err := flags.SourceOptions()
	if err != nil {
		return nil, nil, withDemoHint(env, sub, err)
	}
	if configure != nil {
		configure(&opts)
	}
	newSource := env.NewSource
	if newSource == nil {
		newSource = newClusterSource
	}
	src, err = newSource(flags, opts)
	if err != nil {
		return nil, nil, withDemoHint(env, sub, err)
	}
	return src, nil, nil
}
