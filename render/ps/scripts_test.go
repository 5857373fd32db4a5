package ps

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
	"github.com/octoha/octoha/steps"
)

// serverCommands lists the Octopus.Server.exe / Tentacle.exe commands a
// script runs: the -Command '<name>' of each Invoke-OctopusServer or
// Invoke-Tentacle call.
var commandCall = regexp.MustCompile(`Invoke-(?:OctopusServer|Tentacle) -Command '([a-z-]+)'`)

func exeCommands(src []byte) []string {
	var out []string
	for _, m := range commandCall.FindAllSubmatch(src, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// TestJoinScriptsNeverResetTheCluster: path, admin, license and database
// --create live in the shared database; a join script that ran them would
// re-point or reset the whole cluster (docs/octopus-facts.md §2.3).
func TestJoinScriptsNeverResetTheCluster(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		a := examples[name]
		a.Database.Create = true // the first node creates it; joins still must not
		for i := 1; i <= len(a.Nodes); i++ {
			// The last round is the first node's rebuild script.
			src, err := JoinNode(a, i)
			if i == len(a.Nodes) {
				src, err = RebuildNode(a)
			}
			if err != nil {
				t.Fatal(err)
			}
			cmds := exeCommands(src)
			for _, c := range cmds {
				if c == "path" || c == "admin" || c == "license" {
					t.Errorf("%s node %d runs %s", name, i, c)
				}
			}
			if !contains(cmds, "database") || !contains(cmds, "create-instance") || !contains(cmds, "configure") {
				t.Errorf("%s node %d: commands %v lack database/create-instance/configure", name, i, cmds)
			}
			for _, lit := range psparse.StringLiterals(src) {
				switch lit.Value {
				case "--create", "path", "admin", "license", "--licenseFile", "--clusterShared", "--password":
					t.Errorf("%s node %d holds the literal %s", name, i, lit.Source)
				}
			}
			for _, line := range strings.Split(string(withoutComments(src)), "\r\n") {
				code := strings.TrimSpace(line)
				for _, bad := range []string{"'path' ", "'admin' ", "'license' ", "--create"} {
					if strings.Contains(code, bad) {
						t.Errorf("%s node %d: %q", name, i, code)
					}
				}
			}
			if !strings.Contains(string(src), "'--masterKey', [System.Net.NetworkCredential]::new('', $MasterKey).Password") {
				t.Errorf("%s node %d does not pass the master key from its SecureString at the call", name, i)
			}
		}
	}
}

// TestFirstNodeSteps: the first node runs the cluster-wide steps, in the
// order of docs/octopus-facts.md §1.2.
func TestFirstNodeSteps(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		a := examples[name]
		src, err := FirstNode(a)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(exeCommands(src), " ")
		// show-configuration is Assert-ThisNode's and show-master-key
		// Test-InstanceMasterKey's, defined before the body; node (--taskCap)
		// is in every script, behind `if ($TaskCap -gt 0)`.
		want := "show-configuration show-master-key list-instances create-instance database configure service admin license path node service"
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: commands %q, want them to start %q", name, got, want)
		}
		text := string(src)
		// --create makes the database and its key (docs/octopus-facts.md §1.4); on a
		// database the DBA made it would do nothing (Octopus docs).
		if a.Database.Create != strings.Contains(text, "$databaseArguments += '--create'") {
			t.Errorf("%s: database.create %v, and the first node's first run passes --create: %v", name, a.Database.Create, !a.Database.Create)
		}
		if strings.Contains(text, "show-master-key") && strings.Contains(text, "$MasterKey") {
			t.Errorf("%s: the first node must not handle a master key", name)
		}
	}
}

// secretLooking matches literals that look like a secret a script could
// have baked in: API keys, base64 keys of 16 bytes, password= pairs.
var secretLooking = regexp.MustCompile(`(?i)API-[A-Z0-9]{10,}|^[A-Za-z0-9+/]{22}==$|password\s*=\s*[^;'"\s{$]|-----BEGIN|<License`)

// TestNoSecretLiteral: no script carries anything secret-looking, and
// every password-like parameter is a SecureString.
func TestNoSecretLiteral(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		for _, s := range renderAll(t, examples[name]) {
			for _, lit := range psparse.StringLiterals(s.Content) {
				if secretLooking.MatchString(lit.Value) {
					t.Errorf("%s/%s: secret-looking literal %s", name, s.Name, lit.Source)
				}
			}
			for _, line := range strings.Split(string(s.Content), "\r\n") {
				l := strings.TrimSpace(line)
				if m := regexp.MustCompile(`^\[(\w+)\] \$(\w*(?:Password|Key|Secret)\w*)`).FindStringSubmatch(l); m != nil && m[1] != "SecureString" {
					t.Errorf("%s/%s: parameter $%s is [%s], not [SecureString]", name, s.Name, m[2], m[1])
				}
				if strings.Contains(l, "Write-") && regexp.MustCompile(`\$(AdminPassword|SqlPassword|ServicePassword|RedisPassword|MasterKey|ApiKey)\b`).MatchString(l) {
					t.Errorf("%s/%s writes a secret: %s", name, s.Name, l)
				}
			}
		}
	}
}

// TestPollServerLines: per polling mode, how many poll-server calls the
// tentacle script makes, and to which addresses (docs/octopus-facts.md §6.2, §6.5).
func TestPollServerLines(t *testing.T) {
	nodes := []steps.Node{{Name: "N1", Host: "n1.corp"}, {Name: "N2", Host: "n2.corp"}, {Name: "N3", Host: "n3.corp"}, {Name: "N4", Host: "n4.corp"}}
	for _, c := range []struct {
		mode       string
		first      string
		pollServer []string
	}{
		{steps.PollingUniqueAddress, "'n1.corp' -CommsPort 10943", []string{"'n2.corp' -CommsPort 10943", "'n3.corp' -CommsPort 10943", "'n4.corp' -CommsPort 10943"}},
		{steps.PollingUniquePort, "'poll.corp' -CommsPort 10950", []string{"'poll.corp' -CommsPort 10951", "'poll.corp' -CommsPort 10952", "'poll.corp' -CommsPort 10953"}},
		{steps.PollingRedis, "'poll.corp' -CommsPort 10950", nil},
	} {
		t.Run(c.mode, func(t *testing.T) {
			a := steps.Defaults()
			a.Nodes = nodes
			a.LoadBalancer.PublicURL = "https://octopus.corp"
			a.Tentacles.Mode = steps.ModePolling
			a.Tentacles.Polling = c.mode
			a.Tentacles.BasePort = 10950
			a.Tentacles.PollingAddress = "poll.corp"
			src, err := RegisterTentacle(a)
			if err != nil {
				t.Fatal(err)
			}
			text := string(src)
			var got []string
			for _, m := range regexp.MustCompile(`(?m)^Add-PollingServer -CommsHost (.*)\r$`).FindAllStringSubmatch(text, -1) {
				got = append(got, m[1])
			}
			if fmt.Sprint(got) != fmt.Sprint(c.pollServer) {
				t.Errorf("poll-server calls %q, want %q", got, c.pollServer)
			}
			if !strings.Contains(text, "$FirstAddress = Get-CommsAddress -CommsHost "+c.first+"\r\n") || !strings.Contains(text, "'--server-comms-address', $FirstAddress") {
				t.Errorf("register-with does not get the address %s", c.first)
			}
			if c.mode == steps.PollingRedis && strings.Contains(text, "'poll-server'") {
				t.Error("redis polling must not run poll-server")
			}
			if !strings.Contains(text, "'TentacleActive'") || !strings.Contains(text, "'--noListen', 'True'") || !strings.Contains(text, "[version] '6.3.341'") {
				t.Error("a polling tentacle needs TentacleActive, --noListen True and the 6.3.341 version check")
			}
		})
	}
	t.Run("listening", func(t *testing.T) {
		a := steps.Defaults()
		a.Nodes = nodes
		a.LoadBalancer.PublicURL = "https://octopus.corp"
		src, err := RegisterTentacle(a)
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		for _, want := range []string{"'TentaclePassive'", "'--trust', $clusterThumbprint", "New-NetFirewallRule", "$ListenPort = 10933"} {
			if !strings.Contains(text, want) {
				t.Errorf("listening script lacks %q", want)
			}
		}
		// The admin's -ServerThumbprint is checked against the certificate
		// the API reports, which register-with trusts, and never trusted
		// itself: a second trust, silently wrong when mistyped.
		if strings.Contains(text, "'--trust', $ServerThumbprint") {
			t.Error("the listening script trusts -ServerThumbprint as given")
		}
		if strings.Contains(text, "poll-server") || strings.Contains(text, "--server-comms-address") {
			t.Error("a listening tentacle must not poll")
		}
	})
}

// TestServiceAccountKinds: Local System, a domain account (password via
// OCTOPUS_SERVICE_PASSWORD) and a gMSA (sc.exe, docs/octopus-facts.md §1.3).
func TestServiceAccountKinds(t *testing.T) {
	_, examples := exampleAnswers(t)
	a := examples["2-node-listening-nginx"]
	for _, c := range []struct {
		account     string
		want, avoid []string
	}{
		{"", []string{"'--install', '--reconfigure', '--start')", "$ComputerAccount = Get-ComputerAccount", "'--grant', $ComputerAccount"}, []string{"$ServicePassword", "sc.exe", "'--grant', $ServiceAccount"}},
		{`CORP\svc`, []string{"[SecureString] $ServicePassword", "$env:OCTOPUS_SERVICE_PASSWORD = ", "Remove-Item -LiteralPath 'Env:OCTOPUS_SERVICE_PASSWORD'", "'--username', $ServiceAccount", "'--grant', $ServiceAccount"}, []string{"sc.exe"}},
		{`CORP\gmsa-octo$`, []string{"'sc.exe config'", "'obj=', $ServiceAccount", "'--grant', $ServiceAccount"}, []string{"$ServicePassword", "OCTOPUS_SERVICE_PASSWORD"}},
	} {
		a.Octopus.ServiceAccount = c.account
		for i := range a.Nodes {
			var src []byte
			var err error
			if i == 0 {
				src, err = FirstNode(a)
			} else {
				src, err = JoinNode(a, i)
			}
			if err != nil {
				t.Fatal(err)
			}
			text := string(src)
			for _, w := range c.want {
				if i > 0 && strings.Contains(w, "'--grant', $ServiceAccount") {
					if strings.Contains(string(withoutComments(src)), "--grant") {
						t.Errorf("account %q node %d grants: only the first node grants the service account", c.account, i)
					}
					continue
				}
				if !strings.Contains(text, w) {
					t.Errorf("account %q node %d lacks %q", c.account, i, w)
				}
			}
			for _, w := range c.avoid {
				if strings.Contains(text, w) {
					t.Errorf("account %q node %d holds %q", c.account, i, w)
				}
			}
			if errs := psparse.Errors(src); len(errs) > 0 {
				t.Errorf("account %q node %d does not parse: %v", c.account, i, errs)
			}
		}
	}
}

func TestRenderErrors(t *testing.T) {
	a := steps.Defaults()
	if _, err := FirstNode(a); err == nil {
		t.Error("FirstNode with no nodes rendered")
	}
	a.Nodes = []steps.Node{{Name: "A", Host: "a"}}
	if _, err := JoinNode(a, 0); err == nil {
		t.Error("JoinNode(0) rendered: node 0 is the first node")
	}
	if _, err := JoinNode(a, 1); err == nil {
		t.Error("JoinNode past the last node rendered")
	}
	a.Nodes[0].Host = "bad\x00host"
	if _, err := FirstNode(a); err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("a NUL in a value rendered: %v", err)
	}
}

// withoutComments blanks every comment, keeping line breaks, so a check
// reads only code.
func withoutComments(src []byte) []byte {
	out := append([]byte{}, src...)
	for _, c := range psparse.Comments(src) {
		for i := c.Start; i < c.End; i++ {
			if out[i] != '\r' && out[i] != '\n' {
				out[i] = ' '
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
