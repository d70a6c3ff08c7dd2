package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/initwatch/initwatch/kube"
)

// A script is the lines one container run writes, each at an offset from
// the run's start; a line's text may depend on its own time (programs that
// print their clock).
type line struct {
	after time.Duration
	text  func(at time.Time) string
}

func say(after time.Duration, text string) line {
	return line{after: after, text: func(time.Time) string { return text }}
}

func sayAt(after time.Duration, text func(at time.Time) string) line {
	return line{after: after, text: text}
}

func script(lines ...line) func(start time.Time) []kube.LogLine {
	return func(start time.Time) []kube.LogLine {
		out := make([]kube.LogLine, len(lines))
		for i, l := range lines {
			at := start.Add(l.after)
			out[i] = kube.LogLine{Time: at, Text: l.text(at)}
		}
		return out
	}
}

// The seed's app (loft-sh/k8s-init-containers): bash scripts logging
// "$0($$)$(date +%Y%m%d-%T) : message", and a Go app printing its clock.

func initLog(scriptName, msg string) func(time.Time) string {
	return func(at time.Time) string {
		return fmt.Sprintf("/init-bin/%s(1)%s : %s", scriptName, at.UTC().Format("20060102-15:04:05"), msg)
	}
}

var seedServices = []string{"app-redis", "app-postgresql", "app-mongodb"}

func fetchFilesScript() func(time.Time) []kube.LogLine {
	return script(
		sayAt(120*time.Millisecond, initLog("fetchFiles.sh", "Started")),
		sayAt(640*time.Millisecond, initLog("fetchFiles.sh", "Files fetched successfuly.")),
		sayAt(700*time.Millisecond, initLog("fetchFiles.sh", "Ended")),
	)
}

// checkServicesScript resolves each service; missing ones make it give up
// with the message the seed article shows.
func checkServicesScript(ns string, missing ...string) func(time.Time) []kube.LogLine {
	const name = "checkServices.sh"
	lines := []line{sayAt(150*time.Millisecond, initLog(name, "Started"))}
	offset := 400 * time.Millisecond
	for _, s := range seedServices {
		msg := fmt.Sprintf("Successfuly resolved (%s.%s) in DNS.", s, ns)
		for _, m := range missing {
			if m == s {
				msg = fmt.Sprintf("Can't resolve (%s.%s) in DNS, service is not ready yet(or there is no end points yet).", s, ns)
			}
		}
		lines = append(lines, sayAt(offset, initLog(name, msg)))
		offset += 350 * time.Millisecond
	}
	if len(missing) > 0 {
		lines = append(lines, say(offset, fmt.Sprintf("At least one (%s) of the services (%s) is not available yet.",
			missing[0], strings.Join(seedServices, " "))))
	} else {
		lines = append(lines, sayAt(offset, initLog(name, "Ended")))
	}
	return script(lines...)
}

func checkDatabaseScript(ns string, refused int) func(time.Time) []kube.LogLine {
	const name = "checkDatabase.sh"
	host := "app-postgresql." + ns
	lines := []line{sayAt(100*time.Millisecond, initLog(name, "Started"))}
	t := 300 * time.Millisecond
	for range refused {
		lines = append(lines,
			sayAt(t, initLog(name, fmt.Sprintf("pg_isready says: %s.svc.cluster.local:5432 - no response", host))),
			sayAt(t+10*time.Millisecond, initLog(name, fmt.Sprintf("Can't connect to (%s), database is not ready yet.", host))))
		t += time.Second
	}
	lines = append(lines,
		sayAt(t, initLog(name, fmt.Sprintf("pg_isready says: %s.svc.cluster.local:5432 - accepting connections", host))),
		sayAt(t+20*time.Millisecond, initLog(name, fmt.Sprintf("Successfuly connected to (%s), database is ready.", host))),
		sayAt(t+30*time.Millisecond, initLog(name, "Ended")))
	return script(lines...)
}

func checkCacheScript(ns string) func(time.Time) []kube.LogLine {
	const name = "checkCache.sh"
	host := "app-redis." + ns
	return script(
		sayAt(100*time.Millisecond, initLog(name, "Started")),
		sayAt(450*time.Millisecond, initLog(name, "redis-cli says: PONG")),
		sayAt(460*time.Millisecond, initLog(name, fmt.Sprintf("Successfuly connected to (%s), cache is ready.", host))),
		sayAt(470*time.Millisecond, initLog(name, "Ended")),
	)
}

// seedAppLine is the app's fmt.Println(os.Args[0], "(", os.Getpid(), ")",
// time.Now().Format(time.RFC3339), " : ", s).
func seedAppLine(at time.Time, msg string) string {
	return fmt.Sprintf("/app ( 1 ) %s  :  %s", at.UTC().Format(time.RFC3339), msg)
}

func seedAppRun() runPlan {
	return runPlan{
		lines: script(sayAt(50*time.Millisecond, func(at time.Time) string {
			return seedAppLine(at, "-----------app has started!-----------")
		})),
		every: time.Second,
		tick: func(_ int, at time.Time) string {
			return seedAppLine(at, "-----------app is working!-----------")
		},
	}
}

// The report export: an AWS CLI check, then a curl that fails for good.

func checkBucketScript(bucket string) func(time.Time) []kube.LogLine {
	return script(
		sayAt(900*time.Millisecond, func(at time.Time) string {
			return fmt.Sprintf("                           PRE %s/", at.UTC().AddDate(0, 0, -2).Format("2006-01-02"))
		}),
		sayAt(910*time.Millisecond, func(at time.Time) string {
			return fmt.Sprintf("                           PRE %s/", at.UTC().AddDate(0, 0, -1).Format("2006-01-02"))
		}),
		say(1200*time.Millisecond, fmt.Sprintf("bucket s3://%s reachable, 2 export prefixes", bucket)),
	)
}

func fetchDatasetScript(url string) func(time.Time) []kube.LogLine {
	return script(
		say(100*time.Millisecond, "fetching "+url),
		say(150*time.Millisecond, "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current"),
		say(160*time.Millisecond, "                                 Dload  Upload   Total   Spent    Left  Speed"),
		say(1300*time.Millisecond, "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"),
		say(1400*time.Millisecond, "curl: (22) The requested URL returned error: 404"),
		say(1410*time.Millisecond, "dataset for today is not published yet; refusing to export a partial report"),
	)
}

// An Envoy-style mesh proxy: it waits for its control plane before its
// startup probe can pass, then logs access lines.

func envoyLine(at time.Time, level, logger, msg string) string {
	return fmt.Sprintf("[%s][1][%s][%s] %s", at.UTC().Format("2006-01-02 15:04:05.000"), level, logger, msg)
}

func meshProxyRun(startup time.Duration) runPlan {
	lines := []line{
		sayAt(80*time.Millisecond, func(at time.Time) string {
			return envoyLine(at, "info", "main", "initializing epoch 0 (base id=0, hot restart version=11.104)")
		}),
		sayAt(200*time.Millisecond, func(at time.Time) string {
			return envoyLine(at, "info", "main", "admin address: 0.0.0.0:15000")
		}),
	}
	for t := 2 * time.Second; t < startup; t += 4 * time.Second {
		lines = append(lines, sayAt(t, func(at time.Time) string {
			return envoyLine(at, "warning", "config", "DeltaAggregatedResources gRPC config stream to xds-grpc closed: 14, connection refused")
		}))
	}
	lines = append(lines,
		sayAt(startup-500*time.Millisecond, func(at time.Time) string {
			return envoyLine(at, "info", "upstream", "cds: added/updated 14 cluster(s), skipped 0 unmodified cluster(s)")
		}),
		sayAt(startup-300*time.Millisecond, func(at time.Time) string {
			return envoyLine(at, "info", "main", "starting main dispatch loop")
		}))
	return runPlan{
		lines: script(lines...),
		every: 3 * time.Second,
		tick: func(n int, at time.Time) string {
			return fmt.Sprintf(`[%s] "GET /ledger/v1/balances/%d HTTP/1.1" 200 - 0 %d 3 2 "-" "checkout/7.3" "127.0.0.1:8080"`,
				at.UTC().Format(time.RFC3339Nano), 1000+n, 380+n%50)
		},
	}
}

// jsonLog is the structured log line of the demo's Go services.
func jsonLog(at time.Time, level, msg string, kv ...any) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"level":%q,"ts":%q,"msg":%q`, level, at.UTC().Format(time.RFC3339Nano), msg)
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case string:
			fmt.Fprintf(&b, `,%q:%q`, kv[i], v)
		default:
			fmt.Fprintf(&b, `,%q:%v`, kv[i], v)
		}
	}
	b.WriteByte('}')
	return b.String()
}

func serviceRun(name, version string, every time.Duration, work func(n int) (string, []any)) runPlan {
	return runPlan{
		lines: script(
			sayAt(100*time.Millisecond, func(at time.Time) string {
				return jsonLog(at, "info", "starting", "service", name, "version", version)
			}),
			sayAt(600*time.Millisecond, func(at time.Time) string {
				return jsonLog(at, "info", "listening", "addr", ":8080")
			}),
		),
		every: every,
		tick: func(n int, at time.Time) string {
			msg, kv := work(n)
			return jsonLog(at, "info", msg, kv...)
		},
	}
}

// nginxRun logs the kubelet's probes and some shoppers.
func nginxRun(peer string) runPlan {
	paths := []string{"/healthz", "/", "/products/sku-1042", "/cart", "/healthz", "/static/app.js"}
	return runPlan{
		lines: script(
			say(50*time.Millisecond, "/docker-entrypoint.sh: Configuration complete; ready for start up"),
			sayAt(120*time.Millisecond, func(at time.Time) string {
				return fmt.Sprintf("%s [notice] 1#1: start worker processes", at.UTC().Format("2006/01/02 15:04:05"))
			}),
		),
		every: 2 * time.Second,
		tick: func(n int, at time.Time) string {
			path := paths[n%len(paths)]
			agent, status, size := "Mozilla/5.0", 200, 5120+n%900
			if path == "/healthz" {
				agent, size = "kube-probe/1.37", 2
			}
			return fmt.Sprintf(`%s - - [%s] "GET %s HTTP/1.1" %d %d "-" %q`,
				peer, at.UTC().Format("02/Jan/2006:15:04:05 -0700"), path, status, size, agent)
		},
	}
}

func fetchAssetsScript(version string, d time.Duration) func(time.Time) []kube.LogLine {
	lines := []line{
		say(100*time.Millisecond, "Connecting to cdn.acme.internal (10.96.14.2:443)"),
		say(300*time.Millisecond, "saving to 'assets.tar.gz'"),
	}
	for t := 2 * time.Second; t < d-time.Second; t += 2 * time.Second {
		pct := int(100 * t / d)
		lines = append(lines, say(t, fmt.Sprintf("assets.tar.gz        %3d%% |%-32s| %4.1fM  0:00:%02d ETA",
			pct, strings.Repeat("*", pct*32/100), 18.2*float64(pct)/100, int((d-t)/time.Second))))
	}
	lines = append(lines,
		say(d-300*time.Millisecond, "assets.tar.gz        100% |********************************| 18.2M  0:00:00 ETA"),
		say(d-200*time.Millisecond, "'assets.tar.gz' saved"),
		say(d-100*time.Millisecond, fmt.Sprintf("unpacked storefront assets %s into /srv/www (1,284 files)", version)),
	)
	return script(lines...)
}

// fetchAssetsBadDNSScript is fetch-assets on a node whose resolver lost the
// cluster's internal zone: wget cannot resolve the CDN and exits 1.
func fetchAssetsBadDNSScript() func(time.Time) []kube.LogLine {
	return script(
		say(100*time.Millisecond, "Connecting to cdn.acme.internal"),
		say(400*time.Millisecond, "wget: bad address 'cdn.acme.internal'"),
	)
}

func renderTemplatesScript(n int) func(time.Time) []kube.LogLine {
	return script(
		say(200*time.Millisecond, "loading templates from /srv/www/templates"),
		say(900*time.Millisecond, fmt.Sprintf("rendered %d templates in 0.7s", n)),
	)
}

func waitForPostgresScript(host string, d time.Duration) func(time.Time) []kube.LogLine {
	lines := []line{}
	t := 100 * time.Millisecond
	for ; t < d-time.Second; t += 2 * time.Second {
		lines = append(lines, say(t, fmt.Sprintf("waiting for %s:5432...", host)))
	}
	lines = append(lines, say(d-200*time.Millisecond, fmt.Sprintf("%s (10.96.88.5:5432) open", host)))
	return script(lines...)
}

func migrateScript(apply bool) func(time.Time) []kube.LogLine {
	if !apply {
		return script(say(600*time.Millisecond, "no change"))
	}
	return script(
		say(700*time.Millisecond, "41/u add_refund_reason (18.342ms)"),
		say(900*time.Millisecond, "42/u index_orders_by_customer (96.115ms)"),
	)
}

// dirtyMigrateScript is a migration refused by a schema left dirty by an
// earlier failed run, as golang-migrate reports it.
func dirtyMigrateScript() func(time.Time) []kube.LogLine {
	return script(
		say(500*time.Millisecond, "error: Dirty database version 42. Fix and force version."),
	)
}

func fluentBitRun() runPlan {
	return runPlan{
		lines: script(
			say(50*time.Millisecond, "Fluent Bit v3.1.9"),
			sayAt(200*time.Millisecond, func(at time.Time) string {
				return fmt.Sprintf("[%s] [ info] [input:tail:tail.0] initializing", at.UTC().Format("2006/01/02 15:04:05"))
			}),
			sayAt(300*time.Millisecond, func(at time.Time) string {
				return fmt.Sprintf("[%s] [ info] [output:forward:forward.0] worker #0 started", at.UTC().Format("2006/01/02 15:04:05"))
			}),
		),
		every: 10 * time.Second,
		tick: func(n int, at time.Time) string {
			return fmt.Sprintf("[%s] [ info] [output:forward:forward.0] flushed %d records", at.UTC().Format("2006/01/02 15:04:05"), 40+n%17)
		},
	}
}

func downloadIndexScript(d time.Duration, sizeMiB int) func(time.Time) []kube.LogLine {
	lines := []line{say(200*time.Millisecond, fmt.Sprintf("syncing index snapshot products-v5 (%d MiB) from s3://acme-search/snapshots/", sizeMiB))}
	for t := 2 * time.Second; t < d-time.Second; t += 2 * time.Second {
		got := int(int64(sizeMiB) * int64(t) / int64(d))
		lines = append(lines, say(t, fmt.Sprintf("downloaded %d/%d MiB (%d%%)", got, sizeMiB, 100*got/sizeMiB)))
	}
	lines = append(lines,
		say(d-400*time.Millisecond, fmt.Sprintf("downloaded %d/%d MiB (100%%)", sizeMiB, sizeMiB)),
		say(d-200*time.Millisecond, "verifying checksums... ok"),
		say(d-100*time.Millisecond, "index ready at /data/index"))
	return script(lines...)
}

func initSchemaScript() func(time.Time) []kube.LogLine {
	return script(
		say(300*time.Millisecond, "connecting to ledger-db.payments.svc:5432"),
		say(1200*time.Millisecond, "applying 0007_add_currency_column.sql"),
		say(2100*time.Millisecond, "ALTER TABLE"),
		say(2300*time.Millisecond, "schema at version 7"),
	)
}

func initConfigScript(node string) func(time.Time) []kube.LogLine {
	return script(
		say(100*time.Millisecond, "copied /config-template/agent.yaml to /etc/agent/agent.yaml"),
		say(300*time.Millisecond, "node name: "+node),
	)
}

// pgDumpScript is pg_dump in verbose mode, done after d.
func pgDumpScript(d time.Duration) func(time.Time) []kube.LogLine {
	return script(
		say(200*time.Millisecond, "pg_dump: last built-in OID is 16383"),
		say(d/2, "pg_dump: dumping contents of table \"public.entries\""),
		say(d-300*time.Millisecond, "backup written: /backup/ledger.dump (1.2 GiB)"),
	)
}
