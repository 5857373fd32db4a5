# The winsim host: one PowerShell that runs emitted scripts, one request
# at a time, on simulated Windows machines. It reads one JSON request per
# line on stdin and answers each with one line on stdout that starts with
# the marker below; anything else on stdout is what a script wrote to the
# host itself (What if: lines, for one), and belongs to the current run.
#
# Before a run it makes the machine's drives (C: to F:) PowerShell drives,
# sets its environment variables and the argument passing asked for. The
# functions below stand for the Windows cmdlets Linux lacks; each asks the
# shim stand-in, which keeps the machine's state.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::InputEncoding = [System.Text.UTF8Encoding]::new($false)
[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)
$Marker = '@@winsim@@ '

function global:Invoke-WinsimShim {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $ShimArguments)
    $output = & $env:OCTOHA_WINSIM_SHIM @ShimArguments
    if ($LASTEXITCODE -ne 0) {
        throw ('shim {0} failed: {1}' -f ($ShimArguments -join ' '), ($output -join ' '))
    }
    $output
}

function global:Get-Service {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string[]] $Name)
    $rows = ((Invoke-WinsimShim 'get-service') -join "`n") | ConvertFrom-Json
    foreach ($wanted in @(if ($null -eq $Name) { '*' } else { $Name })) {
        $found = @($rows | Where-Object { $_.Name -like $wanted })
        if ($found.Count -eq 0 -and $wanted -ne '*') {
            Write-Error -Message ("Cannot find any service with service name '{0}'." -f $wanted) -Category 'ObjectNotFound'
        }
        foreach ($row in $found) {
            [pscustomobject] @{ Name = $row.Name; DisplayName = $row.Name; Status = $row.Status; StartType = $row.StartType }
        }
    }
}

function global:Set-Service {
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, Position = 0)] [string] $Name, [string] $StartupType)
    if ($PSCmdlet.ShouldProcess($Name, 'Set-Service')) {
        $null = Invoke-WinsimShim 'set-service' $Name $StartupType
    }
}

function global:Get-NetFirewallRule {
    [CmdletBinding()]
    param([string[]] $Name)
    foreach ($one in $Name) {
        if ((Invoke-WinsimShim 'get-firewall-rule' $one) -eq $one) {
            [pscustomobject] @{ Name = $one }
        }
        else {
            Write-Error -Message ("No MSFT_NetFirewallRule objects found with property 'Name' equal to '{0}'." -f $one) -Category 'ObjectNotFound'
        }
    }
}

# As NetSecurity's New-NetFirewallRule (Windows Server 2016 reference,
# MicrosoftDocs/windows-powershell-docs docset/winserver2016-ps/netsecurity):
# DisplayName is required, Direction is Inbound or Outbound (default
# Inbound), Action NotConfigured, Allow or Block (default Allow), Name
# defaults to a new GUID; the parameters octoha's scripts do not use are
# left out, so a script that passes one fails here.
function global:New-NetFirewallRule {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [string] $Name = ([guid]::NewGuid().ToString('B')),
        [Parameter(Mandatory)] [string] $DisplayName,
        [string] $Description,
        [ValidateSet('Inbound', 'Outbound')] [string] $Direction = 'Inbound',
        [string] $Protocol = 'Any',
        [string[]] $LocalPort = @('Any'),
        [ValidateSet('NotConfigured', 'Allow', 'Block')] [string] $Action = 'Allow'
    )
    if ($PSCmdlet.ShouldProcess($Name, 'New-NetFirewallRule')) {
        $null = Invoke-WinsimShim 'new-firewall-rule' $Name $DisplayName $Direction $Protocol $Action @LocalPort
        [pscustomobject] @{ Name = $Name; DisplayName = $DisplayName; Description = $Description; Direction = $Direction; Action = $Action }
    }
}

# An .exe's FileVersion, which Linux does not read: from the machine's state.
function global:Get-Item {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string[]] $Path, [string[]] $LiteralPath, [switch] $Force)
    $asked = @(if ($PSBoundParameters.ContainsKey('LiteralPath')) { $LiteralPath } else { $Path })
    if ($asked.Count -eq 1 -and $asked[0] -like '*.exe') {
        $leaf = ($asked[0] -split '[\\/]')[-1]
        $version = "$(Invoke-WinsimShim 'file-version' $leaf)".Trim()
        if ($version -ne '') {
            return [pscustomobject] @{ FullName = $asked[0]; Name = $leaf; VersionInfo = [pscustomobject] @{ FileVersion = $version } }
        }
    }
    Microsoft.PowerShell.Management\Get-Item @PSBoundParameters
}

# Two .NET types that need Windows or a SQL Server: a SqlConnection whose
# ExecuteScalar asks the shim (which answers only the schema query, from
# the world's databases), and an NTAccount that resolves this machine's
# computer account (Translate to a SID, and back to DOMAIN\NAME$) as
# LookupAccountName does in a domain. Every other type is the real one.
function global:New-Object {
    [CmdletBinding(DefaultParameterSetName = 'Net')]
    param([Parameter(Mandatory, Position = 0, ParameterSetName = 'Net')] [string] $TypeName, [Parameter(Position = 1, ParameterSetName = 'Net')] [object[]] $ArgumentList, [System.Collections.IDictionary] $Property,
        [Parameter(Mandatory, ParameterSetName = 'Com')] [string] $ComObject)
    if ($PSCmdlet.ParameterSetName -eq 'Com') {
        if ($ComObject -ne 'WindowsInstaller.Installer') {
            throw ('winsim models no COM object {0}' -f $ComObject)
        }
        return [WinsimMsiInstaller]::new([Func[string, string]] { param($path) Convert-Path -LiteralPath $path })
    }
    switch ($TypeName) {
        'System.Data.SqlClient.SqlConnection' {
            $connection = [pscustomobject] @{ ConnectionString = [string] $ArgumentList[0]; State = 'Closed' }
            Add-Member -InputObject $connection -MemberType 'ScriptMethod' -Name 'Open' -Value { $this.State = 'Open' }
            Add-Member -InputObject $connection -MemberType 'ScriptMethod' -Name 'Dispose' -Value { $this.State = 'Closed' }
            Add-Member -InputObject $connection -MemberType 'ScriptMethod' -Name 'CreateCommand' -Value {
                $command = [pscustomobject] @{ CommandText = ''; Connection = $this }
                Add-Member -InputObject $command -MemberType 'ScriptMethod' -Name 'Dispose' -Value { }
                Add-Member -InputObject $command -MemberType 'ScriptMethod' -Name 'ExecuteScalar' -Value {
                    if ($this.Connection.State -ne 'Open') {
                        throw [System.InvalidOperationException]::new('ExecuteScalar requires an open and available Connection.')
                    }
                    # Through the environment, not arguments: with legacy
                    # argument passing a hostile password would be split;
                    # and not Invoke-WinsimShim, whose error would print
                    # the connection string, SQL password included.
                    $env:OCTOHA_WINSIM_SQL_CONNECTION = $this.Connection.ConnectionString
                    $env:OCTOHA_WINSIM_SQL_QUERY = $this.CommandText
                    try {
                        $output = & $env:OCTOHA_WINSIM_SHIM 'sql-scalar' 2>&1
                    }
                    finally {
                        Remove-Item -LiteralPath 'Env:OCTOHA_WINSIM_SQL_CONNECTION', 'Env:OCTOHA_WINSIM_SQL_QUERY'
                    }
                    if ($LASTEXITCODE -ne 0) {
                        throw [System.InvalidOperationException]::new(($output -join ' '))
                    }
                    [int] "$output".Trim()
                }
                $command
            }
            return $connection
        }
        'System.Security.Principal.NTAccount' {
            $name = [string] $ArgumentList[-1]
            $account = [pscustomobject] @{ Value = $name }
            Add-Member -InputObject $account -MemberType 'ScriptMethod' -Name 'Translate' -Value {
                param([type] $Type)
                if ($this.Value -ne ($env:COMPUTERNAME + '$')) {
                    throw [System.Security.Principal.IdentityNotMappedException]::new('Some or all identity references could not be translated.')
                }
                $sid = [pscustomobject] @{ Value = 'S-1-5-21-0-0-0-1000' }
                Add-Member -InputObject $sid -MemberType 'ScriptMethod' -Name 'Translate' -Value {
                    param([type] $Type)
                    [pscustomobject] @{ Value = "$(Invoke-WinsimShim 'computer-account')".Trim() }
                }
                $sid
            }
            return $account
        }
    }
    Microsoft.PowerShell.Utility\New-Object @PSBoundParameters
}

# Web requests go to the world's API, which answers for the host meant.
function global:ConvertTo-WinsimRequest {
    param([uri] $Uri, [System.Collections.IDictionary] $Headers)
    $sent = @{}
    if ($null -ne $Headers) {
        foreach ($key in $Headers.Keys) { $sent[$key] = $Headers[$key] }
    }
    $sent['X-Winsim-Host'] = $Uri.Authority
    $sent['X-Winsim-Machine'] = $env:OCTOHA_WINSIM_MACHINE
    @{ Uri = ($env:OCTOHA_WINSIM_API.TrimEnd('/') + $Uri.PathAndQuery); Headers = $sent }
}

function global:Invoke-WebRequest {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [uri] $Uri, [string] $Method = 'Get', [System.Collections.IDictionary] $Headers, [switch] $UseBasicParsing, [int] $TimeoutSec = 30)
    $sim = ConvertTo-WinsimRequest -Uri $Uri -Headers $Headers
    Microsoft.PowerShell.Utility\Invoke-WebRequest -Uri $sim.Uri -Method $Method -Headers $sim.Headers -TimeoutSec $TimeoutSec
}

function global:Invoke-RestMethod {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [uri] $Uri, [string] $Method = 'Get', [System.Collections.IDictionary] $Headers, [switch] $UseBasicParsing, [int] $TimeoutSec = 30, [object] $Body, [string] $ContentType)
    $sim = ConvertTo-WinsimRequest -Uri $Uri -Headers $Headers
    $more = @{}
    if ($PSBoundParameters.ContainsKey('Body')) { $more['Body'] = $Body }
    if ($PSBoundParameters.ContainsKey('ContentType')) { $more['ContentType'] = $ContentType }
    Microsoft.PowerShell.Utility\Invoke-RestMethod -Uri $sim.Uri -Method $Method -Headers $sim.Headers -TimeoutSec $TimeoutSec @more
}

# msiexec.exe, which Linux lacks: Start-Process of it asks the shim, which
# installs the package's version (standin.go, msiexec) and prints its exit
# code; the result has the ExitCode a Process of Start-Process -PassThru
# has. Any other program is refused: no emitted script starts another.
function global:Start-Process {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] [string] $FilePath, [Parameter(Position = 1)] [string[]] $ArgumentList, [switch] $Wait, [switch] $PassThru)
    if (($FilePath -split '[\\/]')[-1] -ne 'msiexec.exe' -or -not $Wait -or -not $PassThru) {
        throw ('winsim: Start-Process models only msiexec.exe with -Wait -PassThru, not {0}' -f $FilePath)
    }
    $code = "$(Invoke-WinsimShim 'msiexec' @ArgumentList)".Trim()
    [pscustomobject] @{ ExitCode = [int] $code }
}

# The Windows Installer's automation interface, as far as Get-MsiProductVersion
# calls it through Type.InvokeMember (Installer.OpenDatabase, Database.OpenView,
# View.Execute, View.Fetch, View.Close, Record.StringData:
# https://learn.microsoft.com/windows/win32/msi/installer-object): a package
# is a stand-in file holding ProductVersion=VERSION (standin.go, msiexec); a
# file that is not one cannot be opened, as OpenDatabase fails on a file that
# is not a package. Paths are resolved by PowerShell, which knows the drives.
Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.Runtime.CompilerServices;
public class WinsimMsiInstaller {
    private readonly Func<string, string> resolve;
    public WinsimMsiInstaller(Func<string, string> resolve) { this.resolve = resolve; }
    public WinsimMsiDatabase OpenDatabase(string path, int mode) {
        string text = File.ReadAllText(resolve(path)).Trim();
        if (mode != 0 || !text.StartsWith("ProductVersion=")) { throw new IOException("OpenDatabase,DatabasePath,OpenMode: not a Windows Installer package: " + path); }
        return new WinsimMsiDatabase(text.Substring("ProductVersion=".Length));
    }
}
public class WinsimMsiDatabase {
    private readonly string version;
    public WinsimMsiDatabase(string version) { this.version = version; }
    public WinsimMsiView OpenView(string sql) {
        if (sql != "SELECT `Value` FROM `Property` WHERE `Property` = 'ProductVersion'") { throw new ArgumentException("winsim answers only the ProductVersion query, not " + sql); }
        return new WinsimMsiView(version);
    }
}
public class WinsimMsiView {
    private readonly string version;
    private bool executed, fetched;
    public WinsimMsiView(string version) { this.version = version; }
    public void Execute() { executed = true; }
    public WinsimMsiRecord Fetch() {
        if (!executed) { throw new InvalidOperationException("Fetch before Execute"); }
        if (fetched) { return null; }
        fetched = true;
        return new WinsimMsiRecord(version);
    }
    public void Close() { }
}
public class WinsimMsiRecord {
    private readonly string value;
    public WinsimMsiRecord(string value) { this.value = value; }
    [IndexerName("StringData")]
    public string this[int field] { get { if (field != 1) { throw new ArgumentOutOfRangeException("field"); } return value; } }
}
'@

# Waits pass at once; the count shows a script that waited.
function global:Start-Sleep {
    param([Parameter(Position = 0)] [double] $Seconds, [int] $Milliseconds)
    $global:WinsimSleeps++
}

# A hostile value that ran as code calls this.
function global:Invoke-Pwned {
    Set-Content -LiteralPath ([System.IO.Path]::Combine($env:OCTOHA_WINSIM_WORLD, 'PWNED')) -Value ('pwned: ' + ($args -join ' '))
}

function Format-WinsimRecord {
    param($Record)
    switch ($Record) {
        { $_ -is [System.Management.Automation.WarningRecord] } { return 'WARNING: ' + $_.Message }
        { $_ -is [System.Management.Automation.ErrorRecord] } { return 'ERROR: ' + $_.ToString() }
        { $_ -is [System.Management.Automation.VerboseRecord] } { return 'VERBOSE: ' + $_.Message }
        { $_ -is [System.Management.Automation.InformationRecord] } { return [string] $_.MessageData }
    }
    return ($Record | Out-String -Width 200).TrimEnd()
}

function Invoke-WinsimRun {
    param($Request)
    foreach ($drive in $Request.Drives.GetEnumerator()) {
        if (Get-PSDrive -Name $drive.Key -ErrorAction 'Ignore') {
            Remove-PSDrive -Name $drive.Key -Force -Scope 'Global'
        }
        $null = New-PSDrive -Name $drive.Key -PSProvider 'FileSystem' -Root $drive.Value -Scope 'Global'
    }
    foreach ($variable in $Request.Env.GetEnumerator()) {
        Set-Item -LiteralPath ('Env:' + $variable.Key) -Value $variable.Value
    }
    Remove-Item -LiteralPath 'Env:OCTOPUS_SERVICE_PASSWORD' -ErrorAction 'Ignore'
    Set-Location -LiteralPath $Request.Location
    $parameters = @{}
    foreach ($p in $Request.Params.GetEnumerator()) { $parameters[$p.Key] = $p.Value }
    foreach ($p in $Request.Secrets.GetEnumerator()) { $parameters[$p.Key] = ConvertTo-SecureString -String $p.Value -AsPlainText -Force }
    foreach ($s in $Request.Switches) { $parameters[$s] = $true }
    $global:WinsimSleeps = 0
    $lines = [System.Collections.Generic.List[string]]::new()
    $failure = $null
    $global:PSNativeCommandArgumentPassing = $Request.ArgumentPassing
    try {
        & $Request.Script @parameters *>&1 | ForEach-Object { $lines.Add((Format-WinsimRecord $_)) }
    }
    catch {
        $failure = $_.ToString()
    }
    finally {
        $global:PSNativeCommandArgumentPassing = 'Standard'
        Set-Location -LiteralPath '/'
    }
    # A transcript the script left running would record the next runs, into
    # this machine's folder: stop it, and say so.
    $transcriptLeftOpen = $false
    try {
        $null = Stop-Transcript -WhatIf:$false
        $transcriptLeftOpen = $true
    }
    catch {
        $transcriptLeftOpen = $false
    }
    @{ Output = $lines.ToArray(); Error = $failure; Sleeps = $global:WinsimSleeps; TranscriptLeftOpen = $transcriptLeftOpen }
}

function Get-WinsimHelp {
    param($Request)
    Get-Help -Name $Request.Script -Full | Out-String -Width 120
}

function Get-WinsimParse {
    param($Request)
    $tokens = $null
    $errors = $null
    $null = [System.Management.Automation.Language.Parser]::ParseFile($Request.Script, [ref] $tokens, [ref] $errors)
    @($errors | ForEach-Object { '{0}:{1}: {2}' -f $_.Extent.StartLineNumber, $_.Extent.StartColumnNumber, $_.Message })
}

while ($null -ne ($line = [Console]::In.ReadLine())) {
    $answer = @{}
    try {
        $request = ConvertFrom-Json -InputObject $line -AsHashtable -DateKind 'String'
        switch ($request.Kind) {
            'run' { $answer = Invoke-WinsimRun -Request $request }
            'help' { $answer = @{ Text = (Get-WinsimHelp -Request $request) } }
            'parse' { $answer = @{ Errors = @(Get-WinsimParse -Request $request) } }
            default { $answer = @{ HostError = 'unknown request kind' } }
        }
    }
    catch {
        $answer = @{ HostError = $_.ToString() + "`n" + $_.ScriptStackTrace }
    }
    [Console]::Out.WriteLine($Marker + (ConvertTo-Json -InputObject $answer -Compress -Depth 6))
    [Console]::Out.Flush()
}
