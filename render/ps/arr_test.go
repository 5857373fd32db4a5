package ps

import (
	"strings"
	"testing"
)

// TestARRFollowsReview: the global rule proxies only the public host; the
// missing-module error points at the download pages, not the retired Web
// Platform Installer; the script runs in Windows PowerShell, since it
// loads IIS's .NET Framework assembly by path; and the health comment says
// ARR's default acceptable codes (200-399) already fail a 418 (review N9).
func TestARRFollowsReview(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		src, err := ConfigureARR(examples[name])
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		if !strings.Contains(text, "#Requires -PSEdition Desktop\r\n") {
			t.Errorf("%s: no #Requires -PSEdition Desktop, though it loads Microsoft.Web.Administration.dll by path", name)
		}
		code := string(withoutComments(src))
		for _, gone := range []string{"WebPI", "Web Platform Installer"} {
			if strings.Contains(code, gone) {
				t.Errorf("%s still tells the admin to use %s", name, gone)
			}
		}
		for _, page := range []string{"https://www.iis.net/downloads/microsoft/url-rewrite", "https://www.iis.net/downloads/microsoft/application-request-routing"} {
			if !strings.Contains(code, page) {
				t.Errorf("%s does not point at %s", name, page)
			}
		}
		lines := codeLines(src)
		cond := findLine(lines, 0, "$condition.SetAttributeValue('input', '{HTTP_HOST}')")
		loop := findLine(lines, 0, "foreach ($hostPattern in @($PublicHost, ('{0}:{1}' -f $PublicHost, $PublicPort))) {")
		if cond < 0 || loop < 0 || blockHeader(lines, cond) != loop {
			t.Errorf("%s: the global rule has no {HTTP_HOST} condition for the public host", name)
		}
		if findLine(lines, 0, "$conditions.SetAttributeValue('logicalGrouping', 'MatchAny')") < 0 || findLine(lines, 0, "$hostConditions.Clear()") < 0 {
			t.Errorf("%s: the host conditions are not MatchAny, or pile up on each run", name)
		}
		if rule := findLine(lines, 0, "$rule.GetChildElement('match')"); rule < 0 || blockHeader(lines, rule) != blockHeader(lines, loop) {
			t.Errorf("%s: the host condition is not set on the rule", name)
		}
		if !paragraphSays(src, "418", "200-399", "[INFER") || paragraphSays(src, "418", "outside ARR's default") {
			t.Errorf("%s: the health-check comment does not say the default 200-399 already fails a 418", name)
		}
	}
}
