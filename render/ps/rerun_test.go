package ps

import (
	"regexp"
	"strings"
	"testing"
)

// nodeScripts renders the first-node, join and rebuild scripts of every example,
// with database.create both true and false and every service account kind,
// so every branch of the server scripts is read.
func nodeScripts(t *testing.T) []script {
	t.Helper()
	names, examples := exampleAnswers(t)
	var out []script
	for _, name := range names {
		for _, create := range []bool{true, false} {
			for _, account := range []string{"", `CORP\svc`, `CORP\gmsa$`} {
				a := examples[name]
				a.Database.Create = create
				a.Octopus.ServiceAccount = account
				where := name + " create=" + map[bool]string{true: "true", false: "false"}[create] + " account=" + account
				src, err := FirstNode(a)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, script{where + "/install-first-node.ps1", src})
				for i := 1; i < len(a.Nodes); i++ {
					src, err := JoinNode(a, i)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, script{where + "/" + JoinScriptName(a.Nodes[i].Name), src})
				}
				src, err = RebuildNode(a)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, script{where + "/" + RebuildScriptName(a.Nodes[0].Name), src})
			}
		}
	}
	return out
}

func isFirstNode(s script) bool { return strings.HasSuffix(s.Name, "/install-first-node.ps1") }

// TestVersionMismatchStops: a node whose Octopus.Server.exe is not the
// cluster's version stops with an error, unless -SkipVersionCheck is
// given (review A2; docs/octopus-facts.md §2.1).
func TestVersionMismatchStops(t *testing.T) {
	for _, s := range nodeScripts(t) {
		lines := codeLines(s.Content)
		throw := findLine(lines, 0, "throw ('Octopus.Server.exe here is version {0}, but the cluster runs {1}.")
		if throw < 0 {
			t.Errorf("%s: a version mismatch does not throw", s.Name)
			continue
		}
		inner := blockHeader(lines, throw)
		if chain := branchChain(lines, throw); len(chain) != 1 || chain[0] != "if (-not $SkipVersionCheck) {" {
			t.Errorf("%s: the mismatch throws under %q, not unless -SkipVersionCheck", s.Name, chain)
		}
		outer := blockHeader(lines, inner)
		if outer < 0 || !strings.Contains(lines[outer], ".StartsWith($OctopusVersion + '.'") {
			t.Errorf("%s: the -SkipVersionCheck test is not inside the version comparison", s.Name)
		}
		if warn := findLine(lines, throw, "Write-Warning ("); warn < 0 || blockHeader(lines, warn) != outer || !strings.Contains(lines[warn], "-SkipVersionCheck") {
			t.Errorf("%s: with -SkipVersionCheck the mismatch is not a warning", s.Name)
		}
		if findLine(lines, 0, "    [switch] $SkipVersionCheck") < 0 {
			t.Errorf("%s: no -SkipVersionCheck switch", s.Name)
		}
		if !strings.Contains(string(s.Content), ".PARAMETER SkipVersionCheck") {
			t.Errorf("%s: -SkipVersionCheck is not in the help", s.Name)
		}
	}
}

// TestFirstNodeDatabaseOnRerun: the first run sends --create when octoha
// creates the database, and --upgrade with a master key made here when
// the DBA made it, since --create on an existing database "won't do
// anything" (Octopus docs, database command); --grant goes with the first
// run only. A run on an instance that already has its database sends only
// --connectionString, which just updates the stored string (reference
// §1.3; review A3); a run after a failed database step still makes it. The
// node's database record counts only when it names this cluster's
// database (second review A3). The outcome (schema, master key) is checked
// before the record is written and before anything else is sent.
func TestFirstNodeDatabaseOnRerun(t *testing.T) {
	for _, s := range nodeScripts(t) {
		if !isFirstNode(s) {
			continue
		}
		create := strings.Contains(s.Name, "create=true")
		lines := codeLines(s.Content)
		existed := findLine(lines, 0, "$instanceExisted = $existing -contains $Instance")
		createInstance := findLine(lines, 0, "Invoke-OctopusServer -Command 'create-instance'")
		done := findLine(lines, 0, "$databaseDone = $instanceExisted -and ($clusterReady -or ((Get-ClusterMarkerDatabase -Path $DatabaseRecord) -eq $MarkerDatabase))")
		if strings.Contains(string(withoutComments(s.Content)), "Test-Path -LiteralPath $DatabaseRecord") {
			t.Errorf("%s: the database record still counts by its mere presence", s.Name)
		}
		if existed < 0 || createInstance < existed || done < createInstance {
			t.Errorf("%s: whether the instance existed is not taken before create-instance and used for the database step (%d %d %d)", s.Name, existed, createInstance, done)
			continue
		}
		if chain := branchChain(lines, createInstance); len(chain) != 2 || chain[0] != "if ($instanceExisted) {" {
			t.Errorf("%s: create-instance runs under %q", s.Name, chain)
		}
		want, avoid := "$databaseArguments += '--upgrade'", "$databaseArguments += '--create'"
		if create {
			want, avoid = avoid, want
		}
		adds := findLines(lines, want)
		if len(adds) != 1 || len(findLines(lines, avoid)) != 0 {
			t.Errorf("%s: %s is added %d times, want once, and never %s", s.Name, want, len(adds), avoid)
			continue
		}
		firstRun := "if ($databaseDone) {|else {"
		if chain := branchChain(lines, adds[0]); strings.Join(chain, "|") != firstRun {
			t.Errorf("%s: %s is added under %q, want only when the database is not done", s.Name, want, chain)
		}
		key := findLines(lines, "'--masterKey'")
		if create && len(key) > 0 {
			t.Errorf("%s: the first node passes --masterKey although --create makes the key", s.Name)
		}
		if !create {
			if len(key) != 1 || !strings.Contains(lines[key[0]], "$databaseArguments += @('--masterKey', (Get-RandomMasterKey))") ||
				innermost(branchChain(lines, key[0])) != "if (-not ($instanceExisted -and (Test-InstanceMasterKey))) {" ||
				blockHeader(lines, blockHeader(lines, key[0])) != blockHeader(lines, adds[0]) {
				t.Errorf("%s: with database.create: false the first run does not pass a new master key unless the instance has one", s.Name)
			}
		}
		for _, grant := range findLines(lines, "'--grant', ") {
			if blockHeader(lines, grant) != blockHeader(lines, adds[0]) {
				t.Errorf("%s: --grant is not sent with the first run's database step only", s.Name)
			}
		}
		calls := findLines(lines, "Invoke-OctopusServer -Command 'database'")
		if len(calls) != 1 || !strings.Contains(lines[calls[0]], "-Arguments ($databaseArguments + @('--connectionString', $connectionString))") {
			t.Errorf("%s: the database call is not the one built from $databaseArguments", s.Name)
			continue
		}
		schema := findLine(lines, calls[0], "if (-not (Test-OctopusSchema -ConnectionString $connectionString)) {")
		masterKey := findLine(lines, calls[0], "if (-not (Test-InstanceMasterKey)) {")
		record := findLine(lines, calls[0], "Set-Content -LiteralPath $DatabaseRecord")
		configure := findLine(lines, calls[0], "Invoke-OctopusServer -Command 'configure'")
		if schema < 0 || masterKey < schema || record < masterKey || configure < record ||
			blockHeader(lines, schema) != blockHeader(lines, calls[0]) || blockHeader(lines, masterKey) != blockHeader(lines, calls[0]) {
			t.Errorf("%s: the schema and the master key are not checked right after the database step, before the record and configure (%d %d %d %d %d)", s.Name, calls[0], schema, masterKey, record, configure)
		}
		if !strings.Contains(lines[schema+1], "throw (") || !strings.Contains(lines[masterKey+1], "throw (") {
			t.Errorf("%s: a failed schema or master key check does not stop the script", s.Name)
		}
		if record < 0 || innermost(branchChain(lines, record)) != "if (-not $databaseDone) {" || blockHeader(lines, blockHeader(lines, record)) != blockHeader(lines, calls[0]) {
			t.Errorf("%s: the database record is not written right after a successful database step", s.Name)
		}
		if create && !paragraphSays(s.Content, "database.create: true", "creates a new empty database") {
			t.Errorf("%s: --create is not explained from the docs", s.Name)
		}
		if !create && !paragraphSays(s.Content, "database.create: false", "won't do anything", "--upgrade", "[INFER]") {
			t.Errorf("%s: --upgrade for the DBA's database is not explained from the docs and tagged [INFER]", s.Name)
		}
		if !paragraphSays(s.Content, `"Moving a DB later"`, "--connectionString") {
			t.Errorf("%s: the rerun's connection-string-only call does not cite the database command docs", s.Name)
		}
	}
}

// TestSchemaCheckQuery: the schema check sends one read-only query, the
// one winsim's stand-in answers (winsim.SchemaQuery, kept in step by hand).
func TestSchemaCheckQuery(t *testing.T) {
	const query = "$command.CommandText = 'SELECT CASE WHEN OBJECT_ID(N''dbo.OctopusServerNode'', N''U'') IS NULL THEN 0 ELSE 1 END'"
	for _, s := range nodeScripts(t) {
		body := functionBody(s.Content, "Test-OctopusSchema")
		if isFirstNode(s) != (body != "") {
			t.Errorf("%s: Test-OctopusSchema defined %v, want only in the first node", s.Name, body != "")
		}
		if body != "" && (!strings.Contains(body, query) || strings.Count(body, "CommandText") != 1) {
			t.Errorf("%s: Test-OctopusSchema does not send exactly the schema query", s.Name)
		}
	}
}

// TestFirstNodeStopsWithoutInstance: a marker naming this cluster's
// database on a machine without the instance means the cluster runs, but
// not from here (a rebuilt or another machine). The first-node script must
// stop before it creates anything: it would run database --create without
// --masterKey against the live database and skip the administrator and
// licence (second review A2). Whether the instance exists is read once, by
// a block shared with the join script, before the marker is judged.
func TestFirstNodeStopsWithoutInstance(t *testing.T) {
	const list = "$existing = @(Get-InstanceName -Json ((Invoke-OctopusServer -Command 'list-instances'"
	for _, s := range nodeScripts(t) {
		lines := codeLines(s.Content)
		lists := findLines(lines, list)
		existed := findLines(lines, "$instanceExisted = $existing -contains $Instance")
		create := findLine(lines, 0, "Invoke-OctopusServer -Command 'create-instance'")
		if len(lists) != 1 || len(existed) != 1 || existed[0] < lists[0] || create < existed[0] {
			t.Errorf("%s: the instance is not listed once, before create-instance (list %v, existed %v, create %d)", s.Name, lists, existed, create)
			continue
		}
		if !isFirstNode(s) {
			if strings.Contains(string(s.Content), "already installed, but this machine has no instance") {
				t.Errorf("%s: a join script refuses a machine without the instance, which is what it is for", s.Name)
			}
			continue
		}
		ready := findLine(lines, 0, "$clusterReady = $MarkerDatabase -eq $markerDatabaseFound")
		throw := findLine(lines, 0, "throw ('The marker file {0} says the cluster on {1} is already installed, but this machine has no instance {2}.")
		if ready < existed[0] || throw < ready {
			t.Errorf("%s: the rebuilt-machine stop is missing or not after both facts (existed %d, ready %d, throw %d)", s.Name, existed[0], ready, throw)
			continue
		}
		if chain := branchChain(lines, throw); len(chain) != 1 || chain[0] != "if ($clusterReady -and -not $instanceExisted) {" {
			t.Errorf("%s: the stop runs under %q", s.Name, chain)
		}
		for _, step := range []string{"-Command 'create-instance'", "-Command 'database'", "-Command 'configure'", "-Command 'admin'"} {
			if at := findLine(lines, 0, step); at < throw {
				t.Errorf("%s: %s (line %d) runs before the rebuilt-machine stop (line %d)", s.Name, step, at+1, throw+1)
			}
		}
		for _, says := range []string{"To rebuild this node on this machine, run {3} here", "it needs the master key", "delete {0} and run this script again", "-f $MarkerPath, ('database {0} on {1}' -f $SqlDatabase, $SqlDataSource), $Instance, $RebuildScriptFile)"} {
			if !strings.Contains(lines[throw], says) {
				t.Errorf("%s: the stop does not say %q", s.Name, says)
			}
		}
		if !paragraphSays(s.Content, "Safe to run twice", "this machine has no instance", "rebuild-node-", "join script") {
			t.Errorf("%s: the help does not say the script stops on a machine without the instance", s.Name)
		}
	}
}

// paragraphSays reports whether a comment paragraph holding about also
// holds every one of says.
func paragraphSays(src []byte, about string, says ...string) bool {
	for _, p := range commentParagraphs(src) {
		if !strings.Contains(p, about) {
			continue
		}
		ok := true
		for _, s := range says {
			ok = ok && strings.Contains(p, s)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestInferredStepsAreTagged: every step the reference marks [INFER] says
// so where the script relies on it (review A5): the service --stop before
// the service exists (§1.2 item 5), "safe to run twice", Local System
// reaching SQL as DOMAIN\NODE$ (§4.2), the marker file (Issues#5355) and
// never --dependOn MSSQLSERVER (§8 item 19).
func TestInferredStepsAreTagged(t *testing.T) {
	topics := []struct {
		name  string
		about *regexp.Regexp
		first bool // only the first node relies on it
		sql   bool // only with Windows authentication and Local System
	}{
		{"service --stop before the service exists", regexp.MustCompile(`no-op`), false, false},
		{"safe to run twice", regexp.MustCompile(`Safe to run twice`), false, false},
		{"Local System as DOMAIN\\NODE$", regexp.MustCompile(`DOMAIN\\NODE\$`), false, true},
		{"the marker file", regexp.MustCompile(`Issues/issues/5355`), false, false},
		{"never --dependOn MSSQLSERVER", regexp.MustCompile(`--dependOn`), false, false},
	}
	for _, s := range nodeScripts(t) {
		paras := commentParagraphs(s.Content)
		localSystem := strings.Contains(string(s.Content), "$SqlCredential = $null") && !strings.Contains(string(s.Content), "$ServiceAccount = ")
		for _, topic := range topics {
			found := 0
			for _, p := range paras {
				if !topic.about.MatchString(p) {
					continue
				}
				found++
				if !strings.Contains(p, "[INFER]") {
					t.Errorf("%s: the comment on %s has no [INFER] tag:\n%s", s.Name, topic.name, p)
				}
			}
			if found == 0 && (!topic.sql || localSystem) {
				t.Errorf("%s: no comment on %s", s.Name, topic.name)
			}
		}
		// The guarded stop itself (docs/octopus-facts.md §1.2 item 5).
		lines := codeLines(s.Content)
		stop := findLine(lines, 0, "Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--stop')")
		if stop < 0 {
			t.Errorf("%s: no service --stop", s.Name)
			continue
		}
		if chain := branchChain(lines, stop); len(chain) != 2 || chain[0] != "if ($null -eq (Get-Service -Name $ServiceName -ErrorAction 'Ignore')) {" {
			t.Errorf("%s: service --stop runs under %q, not only when the service exists", s.Name, chain)
		}
	}
}

// TestStaleMarker: a marker an earlier cluster left on the share must not
// make the first node skip the administrator and licence of a new
// database, nor let a node join the wrong cluster. The marker names the
// database and both scripts compare it (review N3).
func TestStaleMarker(t *testing.T) {
	for _, s := range nodeScripts(t) {
		lines := codeLines(s.Content)
		define := findLine(lines, 0, "$MarkerDatabase = 'Database: {0} on {1}' -f $SqlDatabase, $SqlDataSource")
		read := findLine(lines, 0, "$markerDatabaseFound = Get-ClusterMarkerDatabase -Path $MarkerPath")
		if define < 0 || read < define {
			t.Errorf("%s: the marker's database is not compared with this cluster's", s.Name)
			continue
		}
		reader := functionBody(s.Content, "Get-ClusterMarkerDatabase")
		if !strings.Contains(reader, "$line.StartsWith('Database: ', [System.StringComparison]::Ordinal)") {
			t.Errorf("%s: Get-ClusterMarkerDatabase does not look for the Database line", s.Name)
		}
		if isFirstNode(s) {
			if findLine(lines, 0, "$clusterReady = $MarkerDatabase -eq $markerDatabaseFound") < 0 || findLine(lines, 0, "$clusterReady = Test-Path") >= 0 {
				t.Errorf("%s: the administrator and licence are skipped on the marker's mere presence", s.Name)
			}
			open := findLine(lines, 0, "$marker = @(")
			if open < 0 || nextCode(lines, findLine(lines, open, "('Octopus version: {0}' -f $OctopusVersion)")) != "$MarkerDatabase" {
				t.Errorf("%s: the marker written does not name the database", s.Name)
			}
			continue
		}
		throw := findLine(lines, read, "throw ('The marker file {0} says")
		if throw < 0 {
			t.Errorf("%s: a join does not stop at another cluster's marker", s.Name)
			continue
		}
		if chain := branchChain(lines, throw); len(chain) != 2 || chain[1] != "elseif ($markerDatabaseFound -ne $MarkerDatabase) {" {
			t.Errorf("%s: the marker mismatch throws under %q", s.Name, chain)
		}
	}
}

// TestLicenseFileResolved: -LicenseFile is resolved against PowerShell's
// current location before it is checked and passed, since the .exe would
// resolve a relative path against the process's folder (review N5).
func TestLicenseFileResolved(t *testing.T) {
	for _, s := range nodeScripts(t) {
		if !isFirstNode(s) {
			continue
		}
		lines := codeLines(s.Content)
		resolve := findLine(lines, 0, "$LicensePath = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($LicenseFile)")
		check := findLine(lines, 0, "if (-not (Test-Path -LiteralPath $LicensePath -PathType 'Leaf')) {")
		pass := findLine(lines, 0, "'--licenseFile', $LicensePath)")
		if resolve < 0 || check < resolve || pass < check {
			t.Errorf("%s: the licence path is not resolved, then checked, then passed (%d %d %d)", s.Name, resolve, check, pass)
		}
		if first := findLine(lines, 0, "-Command 'create-instance'"); check > first {
			t.Errorf("%s: the licence file is checked only after the instance is created", s.Name)
		}
		uses := findLines(lines, "$LicenseFile")
		if len(uses) != 2 || uses[1] != resolve {
			t.Errorf("%s: $LicenseFile is used unresolved (lines %v)", s.Name, uses)
		}
		if strings.Contains(string(s.Content), "ValidateScript") {
			t.Errorf("%s: -LicenseFile is still validated before it is resolved", s.Name)
		}
	}
}

// TestHelpSaysRerunStopsTheNode: configure is followed by service --stop,
// so running a node script again takes a live node down for the run; the
// help says so (review N6).
func TestHelpSaysRerunStopsTheNode(t *testing.T) {
	for _, s := range nodeScripts(t) {
		if !paragraphSays(s.Content, "Safe to run twice", "stops the Octopus service", "drain the node first") {
			t.Errorf("%s: the help does not say a rerun stops the live node", s.Name)
		}
	}
}

// TestDatabaseCreateChangesTheDatabaseStep: database.create says who made
// the database, and changes only the database step: --create when octoha
// makes it, --upgrade with a new master key when the DBA did.
func TestDatabaseCreateChangesTheDatabaseStep(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		a := examples[name]
		a.Database.Create = true
		made, err := FirstNode(a)
		if err != nil {
			t.Fatal(err)
		}
		a.Database.Create = false
		given, err := FirstNode(a)
		if err != nil {
			t.Fatal(err)
		}
		if m, g := codeOnly(made), codeOnly(given); !strings.Contains(m, "'--create'") || strings.Contains(m, "'--upgrade'") || strings.Contains(m, "Get-RandomMasterKey") ||
			strings.Contains(g, "'--create'") || !strings.Contains(g, "'--upgrade'") || !strings.Contains(g, "Get-RandomMasterKey") {
			t.Errorf("%s: create: true must send --create alone, create: false --upgrade with a new key", name)
		}
		if !strings.Contains(string(given), "# Your DBA made the database (database.create: false), empty.") {
			t.Errorf("%s: database.create: false is not said in a comment", name)
		}
	}
}

// codeOnly is the script without comments and blank lines.
func codeOnly(src []byte) string {
	var out []string
	for _, l := range codeLines(src) {
		if !isBlank(l) {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	return strings.Join(out, "\n")
}
