package lb

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/octoha/octoha/steps"
)

// octopusCookie is the cookie Octopus keeps a signed-in browser's session
// in. [INFER] The reference does not name it; this is the name seen on
// current builds and used by test-infra §3. The NGINX file says so.
const octopusCookie = "OctopusIdentificationToken"

// affinityCookie is the cookie HAProxy inserts to pin a browser to a node.
const affinityCookie = "OCTOPUS_NODE"

// Balancer timeouts. Uploads of 1 GB+ (docs/octopus-facts.md §5.2) and long-lived
// websocket and polling connections need far more than the usual 60 s.
const (
	connectTimeoutSeconds = 5
	longTimeoutSeconds    = 3600
)

// Passive/active health-check timing: a node is out after failFall failed
// checks inter seconds apart, back after riseChecks good ones.
const (
	checkInterSeconds = 2
	checkFall         = 2
	checkRise         = 2
	// nginxFailTimeoutSeconds is how long NGINX leaves a failed node alone.
	nginxFailTimeoutSeconds = 10
)

// view is the answers resolved into the values
// each line of a balancer file needs.
type view struct {
	OctopusVersion string
	Instance       string
	// ServerExe is Octopus.Server.exe on a node, for the commands the
	// files print.
	ServerExe string

	PublicURL  string
	PublicHost string
	PublicPort int
	TLS        bool
	// RedirectPort is the plain-HTTP port that redirects to https, 0 for none.
	RedirectPort int
	// PublicBase is scheme://host[:port], the redirect target.
	PublicBase     string
	Certificate    string
	CertificateKey string

	HealthCheck string
	Persistence string
	// PersistenceNeeded says the Octopus version predates the fix that
	// made sticky sessions unnecessary.
	PersistenceNeeded  bool
	PersistenceFixedIn string
	OctopusCookie      string
	AffinityCookie     string

	Nodes []node

	// PollingMode is "" for listening tentacles, else the polling mode.
	PollingMode    string
	PollingAddress string
	// Forwards is one TCP passthrough per node (unique-port).
	Forwards []forward
	// PollingPort is the one balanced TCP port (redis), 0 otherwise.
	PollingPort int

	TrustedProxies []string

	ConnectTimeout, LongTimeout      int
	CheckInter, CheckFall, CheckRise int
	NginxFailTimeout                 int
}

type node struct {
	Name      string
	Host      string
	WebPort   int
	CommsPort int
}

type forward struct {
	Node       node
	ListenPort int
}

// newView resolves the answers. It fails only on answers validation should
// have refused, with a message that names the field.
func newView(a steps.Answers) (view, error) {
	if len(a.Nodes) == 0 {
		return view{}, fmt.Errorf("the answers have no nodes")
	}
	host := a.PublicHost()
	if host == "" {
		return view{}, fmt.Errorf("%s %q has no host name", steps.FieldLoadBalancerPublicURL, a.LoadBalancer.PublicURL)
	}
	if _, err := hostToken(host); err != nil {
		return view{}, fmt.Errorf("%s: %w", steps.FieldLoadBalancerPublicURL, err)
	}
	v := view{
		OctopusVersion:     string(a.Octopus.Version),
		Instance:           a.Octopus.Instance,
		ServerExe:          a.ServerExe(),
		PublicURL:          a.LoadBalancer.PublicURL,
		PublicHost:         host,
		PublicPort:         a.PublicPort(),
		TLS:                a.PublicTLS(),
		Certificate:        a.LoadBalancer.Certificate,
		CertificateKey:     a.LoadBalancer.CertificateKey,
		HealthCheck:        a.LoadBalancer.HealthCheck,
		Persistence:        a.LoadBalancer.Persistence,
		PersistenceNeeded:  !a.Has(steps.NoAffinityNeeded),
		PersistenceFixedIn: steps.NoAffinityNeeded.Since.String(),
		OctopusCookie:      octopusCookie,
		AffinityCookie:     affinityCookie,
		PollingMode:        a.PollingMode(),
		PollingAddress:     a.PollingAddress(),
		TrustedProxies:     a.LoadBalancer.TrustedProxies,
		ConnectTimeout:     connectTimeoutSeconds,
		LongTimeout:        longTimeoutSeconds,
		CheckInter:         checkInterSeconds,
		CheckFall:          checkFall,
		CheckRise:          checkRise,
		NginxFailTimeout:   nginxFailTimeoutSeconds,
	}
	v.RedirectPort = a.RedirectPort()
	scheme, defaultPort := "http", steps.HTTPPort
	if v.TLS {
		scheme, defaultPort = "https", steps.HTTPSPort
	}
	v.PublicBase = scheme + "://" + bracketIPv6(host)
	if v.PublicPort != defaultPort {
		v.PublicBase += ":" + strconv.Itoa(v.PublicPort)
	}
	if !strings.HasPrefix(v.HealthCheck, "/") {
		return view{}, fmt.Errorf("%s %q must be a path starting with /", steps.FieldLoadBalancerHealthCheck, v.HealthCheck)
	}
	for i, n := range a.Nodes {
		v.Nodes = append(v.Nodes, node{Name: n.Name, Host: n.Host, WebPort: a.NodeWebPort(i), CommsPort: a.NodeCommsPort(i)})
	}
	for _, f := range a.PollingForwards() {
		if f.Node < 0 {
			v.PollingPort = f.Port
			continue
		}
		v.Forwards = append(v.Forwards, forward{Node: v.Nodes[f.Node], ListenPort: f.Port})
	}
	return v, nil
}

// needsCertificate is the check the NGINX and HAProxy renderers share: an
// https publicUrl needs the certificate file on the balancer.
func (v view) needsCertificate() error {
	if v.TLS && v.Certificate == "" {
		return fmt.Errorf("%s %s is https but %s is empty: give the path of the PEM certificate on the balancer", steps.FieldLoadBalancerPublicURL, v.PublicURL, steps.FieldLoadBalancerCertificate)
	}
	return nil
}

func bracketIPv6(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}
