package lbtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Apache is the answers' spelling of Apache httpd.
const Apache = "apache"

// RequireApache checks for Debian's apache2 with its helpers, and the
// sandbox.
func RequireApache(t testing.TB) {
	t.Helper()
	RequireSandbox(t)
	for _, tool := range []string{"apache2", "apachectl", "a2enmod", "a2ensite", "a2dissite"} {
		RequireTool(t, tool)
	}
	if _, err := os.Stat("/etc/apache2/apache2.conf"); err != nil {
		missing(t, "Debian's /etc/apache2 is not there (apt-get install apache2): %v", err)
	}
}

// a2enmodLine is the header line of an emitted Apache site that names the
// modules it needs; the sandbox enables exactly those, so a module the
// line forgets fails the check.
var a2enmodLine = regexp.MustCompile(`(?m)^#\s+a2enmod ([a-z0-9_ ]+)$`)

// apacheSite installs an emitted site the way its header says, in a copy
// of Debian's /etc/apache2 inside the sandbox: a2enmod the modules it
// names, the site in sites-available, a2ensite it, a2dissite the default
// site. The copy has its own envvars, so the pid file, logs, locks and
// runtime files stay in the sandbox; ports, when not nil, replaces
// ports.conf (Start puts its loopback listeners there). It returns the
// environment every apache2 command needs.
func apacheSite(t testing.TB, sb *Sandbox, site []byte, ports []string) []string {
	t.Helper()
	conf := filepath.Join(sb.Dir, "apache2")
	if out, err := exec.Command("cp", "-a", "/etc/apache2", conf).CombinedOutput(); err != nil {
		t.Fatalf("copying /etc/apache2: %v\n%s", err, out)
	}
	var vars strings.Builder
	vars.WriteString("export APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\nexport LANG=C\n")
	for name, dir := range map[string]string{"APACHE_RUN_DIR": "run", "APACHE_LOCK_DIR": "lock", "APACHE_LOG_DIR": "log", "APACHE_STATE_DIRECTORY": "state"} {
		d := filepath.Join(sb.Dir, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&vars, "export %s=%s\n", name, d)
	}
	fmt.Fprintf(&vars, "export APACHE_PID_FILE=%s\n", filepath.Join(sb.Dir, "run", "apache2.pid"))
	write := func(name string, content []byte) {
		if err := os.WriteFile(filepath.Join(conf, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("envvars", []byte(vars.String()))
	write("sites-available/octopus.conf", site)
	if ports != nil {
		write("ports.conf", []byte(strings.Join(ports, "\n")+"\n"))
	}
	env := append(os.Environ(), "APACHE_CONFDIR="+conf, "APACHE_STATE_DIRECTORY="+filepath.Join(sb.Dir, "state"))
	m := a2enmodLine.FindSubmatch(site)
	if m == nil {
		t.Fatalf("the site names no modules in an a2enmod line")
	}
	for _, argv := range [][]string{
		append([]string{"a2enmod", "-q"}, strings.Fields(string(m[1]))...),
		{"a2ensite", "-q", "octopus"},
		{"a2dissite", "-q", "000-default"},
	} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
		}
	}
	return env
}

// apacheOwnListen finds the Listen lines a site has of its own.
var apacheOwnListen = regexp.MustCompile(`(?m)^\s*Listen\s+(\d+)\b`)

// apachePorts is the sandbox's ports.conf for a running site: Debian's
// listens on 80 and 443, which Start moved to loopback ports; a port the
// site listens on itself is left to it (httpd refuses a second Listen on
// one address and port).
func apachePorts(site []byte, ports map[int]int) []string {
	own := map[string]bool{}
	for _, m := range apacheOwnListen.FindAllSubmatch(site, -1) {
		own[string(m[1])] = true
	}
	var lines []string
	for _, p := range []int{80, 443} {
		if lp, ok := ports[p]; ok && !own[fmt.Sprint(p)] {
			lines = append(lines, fmt.Sprintf("Listen 127.0.0.1:%d", lp))
		}
	}
	return lines
}
