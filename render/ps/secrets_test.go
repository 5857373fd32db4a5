package ps

import (
	"strings"
	"testing"
)

// TestSecretsHelpIsTruthful: the scripts print no secret, but the Octopus
// CLI takes some secrets only as arguments, where local administrators and
// command-line auditing (event 4688, Sysmon 1, module logging 4103) see
// them. The help must not promise that no secret is ever logged, and every
// script that passes a secret on a command line says where it can be seen
// (review A9).
func TestSecretsHelpIsTruthful(t *testing.T) {
	for _, s := range everyScript(t) {
		text := string(s.Content)
		flat := strings.Join(strings.Fields(text), " ")
		for _, promise := range []string{"never printed or logged", "no secret is ever", "nothing secret is ever", "never printed or\nlogged"} {
			if strings.Contains(flat, promise) {
				t.Errorf("%s still promises %q", s.Name, promise)
			}
		}
		onCommandLine := false
		for _, arg := range []string{"'--password', [System.Net.NetworkCredential]", "'--masterKey', [System.Net.NetworkCredential]", "'--apiKey', [System.Net.NetworkCredential]", "'--multiNodePollingTentaclesRedisConnectionString'", "$SqlCredential = [PSCredential]::new("} {
			onCommandLine = onCommandLine || strings.Contains(text, arg)
		}
		if !onCommandLine {
			continue
		}
		if !paragraphSays(s.Content, "The script prints no secret", "command-line argument", "visible to local administrators while the command runs", "event 4688", "Sysmon event 1", "event 4103", "no other way") {
			t.Errorf("%s passes a secret as an argument but its help does not say where that is seen", s.Name)
		}
	}
}

// TestSecretArgumentCommentsAreTruthful: next to each call that passes a
// secret as an argument, the comment names the audit logs too.
func TestSecretArgumentCommentsAreTruthful(t *testing.T) {
	seen := 0
	for _, s := range everyScript(t) {
		for _, p := range commentParagraphs(s.Content) {
			if !strings.Contains(p, "visible to local administrators while the command runs") || strings.Contains(p, "The script prints no secret") {
				continue
			}
			seen++
			if !strings.Contains(p, "command-line audit logs") || !strings.Contains(p, "no other way") {
				t.Errorf("%s: a comment on a secret argument does not mention audit logs:\n%s", s.Name, p)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("only %d comments on secret arguments found", seen)
	}
}
