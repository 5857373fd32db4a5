#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Registers this machine's Tentacle with the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on each deployment target after installing the Tentacle MSI.
    It creates the Tentacle instance, makes its certificate, configures it
    as a listening Tentacle on port 10933, opens the firewall port and
    registers it with the cluster (https://octopus.com/docs/infrastructure/deployment-targets/tentacle/tentacle-communication), which makes it trust
    the cluster's certificate (OctopusTentacle RegisterMachineCommandBase.cs).
    Every node connects to it directly.

    Before it changes anything it reads, with the API key, the targets of
    the space from the cluster's API. Safe to run twice: a Tentacle that is
    registered already (found by its certificate's thumbprint) is left as
    it is, with the environments, roles and tenants it has in Octopus now;
    run it with -Reregister to register it again. It never takes over a
    target that another machine's certificate is registered with: it stops
    when the name belongs to one. Every run configures the Tentacle again
    and restarts its service (or starts it, when it is stopped), then checks
    that the service runs: run it when no deployment is using this machine.
    Run it with -WhatIf to see every step first.

    The run is logged under $env:ProgramData\octoha\logs. The script prints
    no secret, so the API key never reaches that transcript. But Tentacle.exe
    takes the API key only as a command-line argument: it is visible to
    local administrators while the command runs, and is recorded wherever
    command-line auditing is on (Security event 4688, Sysmon event 1,
    PowerShell module logging event 4103). Tentacle.exe documents no other
    way to pass it; a short-lived key limits the harm.
.PARAMETER ApiKey
    An Octopus API key (API-...) of a user allowed to register targets.
.PARAMETER ServerThumbprint
    The thumbprint of the Octopus Server certificate, the same on every
    node. Read it on any node with:
        & 'C:\Program Files\Octopus Deploy\Octopus\Octopus.Server.exe' show-thumbprint --instance 'OctopusServer'
    (show-thumbprint is listed in https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line; its output format is not
    described there, so read the thumbprint from what it prints.)
    register-with trusts the certificate the cluster's API reports; the
    script first checks that it is this one, and stops if it is not.
.PARAMETER Name
    The name the target gets in Octopus; the computer name by default.
.PARAMETER PublicHostName
    The name every Octopus node uses to reach this Tentacle
    (--publicHostName, https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line); this machine's DNS name by default.
    Every node must resolve it.
.PARAMETER Environments
    The environments the target belongs to.
.PARAMETER Roles
    The target's roles (tags).
.PARAMETER Space
    The Octopus space; empty for the default space.
.PARAMETER InstallDir
    The folder Tentacle.exe is installed in.
.PARAMETER HomeDirectory
    The Tentacle's home folder.
.PARAMETER ApplicationsDirectory
    Where the Tentacle unpacks deployed packages.
.PARAMETER Reregister
    Register this Tentacle again although Octopus has it already:
    register-with --force then gives the target this script's environments
    and roles, and drops what was set in the portal since (its tenants and
    tenant tags; tenanted participation goes back to untenanted). It still
    stops when the name belongs to another machine's certificate.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\register-tentacle.ps1 -ApiKey $key -ServerThumbprint 0123456789ABCDEF0123456789ABCDEF01234567
.EXAMPLE
    .\register-tentacle.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [SecureString] $ApiKey,
    [Parameter(Mandatory)]
    [ValidatePattern('^[0-9A-Fa-f]{40}$')]
    [string] $ServerThumbprint,
    [string] $Name = $env:COMPUTERNAME,
    [string] $PublicHostName = [System.Net.Dns]::GetHostEntry('').HostName,
    [string[]] $Environments = @('Production'),
    [string[]] $Roles = @('web-server'),
    [string] $Space = '',
    [string] $InstallDir = 'C:\Program Files\Octopus Deploy\Tentacle',
    [string] $HomeDirectory = 'C:\Octopus',
    [string] $ApplicationsDirectory = 'C:\Octopus\Applications',
    [switch] $Reregister
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'register-tentacle'

# Values from the octoha answers file.
$Instance = 'Tentacle'
$ServiceName = 'OctopusDeploy Tentacle'
# --server is the cluster's public web URL, behind the balancer (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
$ServerUrl = 'https://octopus.corp.local'

function ConvertTo-NativeArgument {
    <#
    .SYNOPSIS
        Quotes one argument for an .exe by the Windows (MSVC) rules.
    .DESCRIPTION
        Writes the argument as .NET writes each item of
        ProcessStartInfo.ArgumentList into a command line (PasteArguments in
        dotnet/runtime): as it is when it holds no white space and no double
        quote; otherwise in double quotes, each embedded " as \", and the
        backslashes before a " or before the closing quote doubled. The .exe
        reads that back as exactly this one argument, also when it is empty.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Value
    )
    if ($Value -ne '' -and $Value -notmatch '[\s"]') {
        return $Value
    }
    $escaped = [regex]::Replace($Value, '(\\*)"', '$1$1\"')
    $escaped = [regex]::Replace($escaped, '(\\+)\z', '$1$1')
    return '"' + $escaped + '"'
}

function ConvertTo-PowerShellLiteral {
    <#
    .SYNOPSIS
        A value known only at run time as a single-quoted PowerShell
        string, for a command a message prints.
    .DESCRIPTION
        PowerShell ends a single-quoted string at ' and at the Unicode single
        quotes U+2018 to U+201B alike; inside one, each is doubled.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Value
    )
    "'" + [regex]::Replace($Value, '[''\u2018-\u201B]', '$0$0') + "'"
}

function Invoke-NativeCommand {
    <#
    .SYNOPSIS
        Runs an .exe and throws when it cannot start or exits non-zero.
    .DESCRIPTION
        The error names the command (Name) but never its arguments, which
        may hold a secret.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $FilePath,
        [Parameter(Mandatory)]
        [string] $Name,
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string[]] $Arguments
    )
    # PowerShell rewrites the arguments it passes to an .exe, each version
    # its own way: Windows PowerShell 5.1 counts every " when it decides
    # whether an argument needs quotes (Pa"ss word reached the .exe as two
    # arguments), PowerShell 7.7 expands a leading ~, and every version takes
    # an argument --% for its stop-parsing token. Only the text after a --%
    # written here reaches the .exe as it is, in every version, once the
    # environment variable it names is expanded: the command line is then
    # exactly the quoted arguments joined by spaces. PowerShell 7.3+ passes
    # that text whole only with Legacy passing (Standard and Windows split it
    # at every space), so Legacy is set for this call. The variable holds the
    # arguments, which are on the .exe's command line anyway, only while the
    # .exe runs.
    $native = @(foreach ($argument in $Arguments) { ConvertTo-NativeArgument -Value $argument })
    Set-Variable -Name 'PSNativeCommandArgumentPassing' -Value 'Legacy' -Scope 'Local' -WhatIf:$false
    [Environment]::SetEnvironmentVariable('OCTOHA_NATIVE_ARGUMENTS', ($native -join ' '))
    # A tool's stderr must not stop the script (Windows PowerShell 5.1
    # turns it into errors under 'Stop'): the exit code decides.
    $ErrorActionPreference = 'Continue'
    $exitCode = $null
    try {
        & $FilePath --% %OCTOHA_NATIVE_ARGUMENTS%
        # Read at once: only an .exe that ran sets it, so an earlier
        # command's code is never taken for this one's.
        $exitCode = $LASTEXITCODE
    }
    catch {
        # The .exe did not start (AppLocker or WDAC, access denied): under
        # 'Continue' that error would only be printed, and the previous
        # command's exit code (often 0) would pass for success.
        $ErrorActionPreference = 'Stop'
        throw ('{0} could not run: {1}' -f $Name, $_.Exception.Message)
    }
    finally {
        # [NullString]::Value removes the variable; PowerShell would turn
        # $null into ''.
        [Environment]::SetEnvironmentVariable('OCTOHA_NATIVE_ARGUMENTS', [NullString]::Value)
        $ErrorActionPreference = 'Stop'
    }
    if ($null -eq $exitCode) {
        throw ('{0} ran but reported no exit code. Read its output above; this run is logged in {1}.' -f $Name, $LogFile)
    }
    if ($exitCode -ne 0) {
        throw ('{0} failed with exit code {1}. Read its output above; this run is logged in {2}.' -f $Name, $exitCode, $LogFile)
    }
}

function Get-InstanceName {
    <#
    .SYNOPSIS
        Reads the instance names from list-instances --format json output.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Json
    )
    $start = $Json.IndexOf('[')
    $end = $Json.LastIndexOf(']')
    if ($start -lt 0 -or $end -lt $start) {
        throw 'list-instances printed no JSON list of instances. Run it by hand with --format json to see why.'
    }
    # Windows PowerShell 5.1 emits a JSON array as ONE object (an empty
    # array for []), PowerShell 7 emits its items: foreach over the value
    # handles both. Wrapping the call in @() would, on 5.1, hold an empty
    # array whose .InstanceName throws under Set-StrictMode.
    $parsed = ConvertFrom-Json -InputObject $Json.Substring($start, $end - $start + 1)
    foreach ($instance in $parsed) {
        if ($null -ne $instance -and $null -ne $instance.PSObject.Properties['InstanceName']) {
            $instance.InstanceName
        }
    }
}

function Write-Outcome {
    <#
    .SYNOPSIS
        The run's last lines: what it did, or under -WhatIf that it changed
        nothing, so a -WhatIf run never claims the work was done.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [string[]] $Done
    )
    if ($WhatIfPreference) {
        return '-WhatIf: nothing was changed. Run the script without -WhatIf to make the changes listed above.'
    }
    $Done
}

function Invoke-Tentacle {
    <#
    .SYNOPSIS
        Runs one Tentacle.exe command and checks its exit code.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Command,
        [string[]] $Arguments = @()
    )
    # --console, as the Tentacle automation docs advise (https://octopus.com/docs/infrastructure/deployment-targets/tentacle/windows/automating-tentacle-installation).
    Invoke-NativeCommand -FilePath $TentacleExe -Name ('Tentacle.exe ' + $Command) -Arguments (@($Command, '--console') + $Arguments)
}

function Invoke-OctopusApi {
    <#
    .SYNOPSIS
        GETs one path of the cluster's API. The API key goes only into the
        X-Octopus-ApiKey header, never into the URL or the output.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Path
    )
    $uri = $ServerUrl.TrimEnd('/') + $Path
    try {
        Invoke-RestMethod -Uri $uri -Headers $headers -UseBasicParsing -TimeoutSec 30
    }
    catch {
        throw ('The Octopus API did not answer {0}: {1} Nothing was changed. Check the API key, and that this machine reaches {2}.' -f $uri, $_.Exception.Message, $ServerUrl)
    }
}

function Get-ApiField {
    <#
    .SYNOPSIS
        One field of an API resource, or $null when it has none: under
        Set-StrictMode reading a missing field would throw.
    #>
    [CmdletBinding()]
    param(
        [AllowNull()]
        [object] $Resource,
        [Parameter(Mandatory)]
        [string] $Name
    )
    if ($null -eq $Resource) {
        return $null
    }
    $field = $Resource.PSObject.Properties[$Name]
    if ($null -eq $field) {
        return $null
    }
    return $field.Value
}

function Get-TargetSpaceId {
    <#
    .SYNOPSIS
        The Id of the space the Tentacle registers in: -Space by name, or
        the default space, as register-with chooses it (OctopusTentacle
        SpaceRepositoryFactory.cs), from /api/spaces/all (the list
        OctopusDSC's cTentacleAgent reads).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    foreach ($candidate in (Invoke-OctopusApi -Path '/api/spaces/all')) {
        $candidateName = [string] (Get-ApiField -Resource $candidate -Name 'Name')
        $isDefault = (Get-ApiField -Resource $candidate -Name 'IsDefault') -eq $true
        if (($Space -eq '' -and $isDefault) -or ($Space -ne '' -and [string]::Equals($candidateName.Trim(), $Space, [System.StringComparison]::OrdinalIgnoreCase))) {
            return [string] (Get-ApiField -Resource $candidate -Name 'Id')
        }
    }
    if ($Space -eq '') {
        throw ('{0} has no default space that this API key can see. Nothing was changed. Pass -Space with the space to register in.' -f $ServerUrl)
    }
    throw ('{0} has no space named {1} that this API key can see. Nothing was changed. Check -Space, and that the API key''s user has access to that space.' -f $ServerUrl, $Space)
}

function Get-TargetThumbprint {
    <#
    .SYNOPSIS
        The certificate thumbprint a target is registered with: its
        Endpoint's, else its own Thumbprint field, which OctopusDSC's
        cTentacleAgent reads (Octopus.Client MachineBasedResource has both).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowNull()]
        [object] $Target
    )
    $thumbprint = [string] (Get-ApiField -Resource (Get-ApiField -Resource $Target -Name 'Endpoint') -Name 'Thumbprint')
    if ($thumbprint -eq '') {
        $thumbprint = [string] (Get-ApiField -Resource $Target -Name 'Thumbprint')
    }
    return $thumbprint
}

function Get-ClusterThumbprint {
    <#
    .SYNOPSIS
        The thumbprint of the cluster's certificate as its API reports it:
        the certificate register-with makes the Tentacle trust
        (OctopusTentacle RegisterMachineCommandBase.cs, GetServerThumbprint;
        OctopusClients CertificateConfigurationRepository.cs,
        certificate-global).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $thumbprint = [string] (Get-ApiField -Resource (Invoke-OctopusApi -Path '/api/configuration/certificates/certificate-global') -Name 'Thumbprint')
    if ($thumbprint -eq '') {
        throw ('{0} reported no thumbprint for its certificate (/api/configuration/certificates/certificate-global). Nothing was changed.' -f $ServerUrl)
    }
    return $thumbprint
}

function ConvertFrom-TentacleConfiguration {
    <#
    .SYNOPSIS
        Reads Tentacle.exe show-configuration's output: this Tentacle's
        certificate thumbprint and the Octopus Servers it trusts.
    .DESCRIPTION
        show-configuration prints the instance's settings as JSON, each
        key's dots making the levels: Tentacle.CertificateThumbprint, and
        Tentacle.Communication.TrustedOctopusServers, a list of servers with
        a Thumbprint and an Address (https://host:port for a polling one,
        null for a listening one). Sources: OctopusTentacle
        ShowConfigurationCommand.cs, JsonHierarchicalKeyValueStore.cs,
        TentacleConfiguration.cs and OctopusServerConfiguration.cs.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Configuration
    )
    $start = $Configuration.IndexOf('{')
    $end = $Configuration.LastIndexOf('}')
    if ($start -lt 0 -or $end -lt $start) {
        throw ('Tentacle.exe show-configuration printed no JSON. Run it by hand to see why: & {0} show-configuration --instance {1}' -f (ConvertTo-PowerShellLiteral -Value $TentacleExe), (ConvertTo-PowerShellLiteral -Value $Instance))
    }
    $settings = ConvertFrom-Json -InputObject $Configuration.Substring($start, $end - $start + 1)
    $thumbprint = ''
    $servers = @()
    # Under Set-StrictMode a missing setting would throw: each level is
    # read through PSObject.Properties.
    $tentacle = $settings.PSObject.Properties['Tentacle']
    if ($null -ne $tentacle -and $null -ne $tentacle.Value) {
        $certificate = $tentacle.Value.PSObject.Properties['CertificateThumbprint']
        if ($null -ne $certificate -and $null -ne $certificate.Value) {
            $thumbprint = [string] $certificate.Value
        }
        $communication = $tentacle.Value.PSObject.Properties['Communication']
        if ($null -ne $communication -and $null -ne $communication.Value) {
            $list = $communication.Value.PSObject.Properties['TrustedOctopusServers']
            if ($null -ne $list) {
                # foreach reads a list whether ConvertFrom-Json gave it as
                # one array (Windows PowerShell 5.1) or as its items.
                foreach ($server in $list.Value) {
                    if ($null -eq $server -or $null -eq $server.PSObject.Properties['Thumbprint']) {
                        continue
                    }
                    $address = ''
                    if ($null -ne $server.PSObject.Properties['Address'] -and $null -ne $server.Address) {
                        $address = [string] $server.Address
                    }
                    $servers += [pscustomobject] @{ Thumbprint = [string] $server.Thumbprint; Address = $address }
                }
            }
        }
    }
    [pscustomobject] @{ Thumbprint = $thumbprint; TrustedServers = $servers }
}

function ConvertTo-CommsAddress {
    <#
    .SYNOPSIS
        A comms address as .NET's Uri prints it (scheme and host in lower
        case, a / after the port), the form clear-trusted-servers compares
        (OctopusTentacle ClearTrustedServersCommand.cs: new Uri(...)
        .ToString() on both sides, http:// read as https://).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyString()]
        [string] $Address
    )
    $uri = $null
    if ([System.Uri]::TryCreate($Address.Replace('http://', 'https://'), [System.UriKind]::Absolute, [ref] $uri)) {
        return $uri.ToString()
    }
    return $Address
}

function Get-TentacleServiceStatus {
    <#
    .SYNOPSIS
        The Tentacle service's status (Running, Stopped, ...), or '' when
        it is not installed.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $service = Get-Service -ErrorAction 'Ignore' | Where-Object { $_.Name -eq $ServiceName }
    if ($null -eq $service) {
        return ''
    }
    return [string] $service.Status
}

function Assert-TentacleRunning {
    <#
    .SYNOPSIS
        Throws unless the Tentacle service runs, as its status shows.
    .DESCRIPTION
        The service command's exit code does not prove it: service
        --restart of a stopped service does nothing and exits 0
        (OctopusTentacle WindowsServiceConfigurator.cs, RestartService).
    #>
    [CmdletBinding()]
    param()
    $status = ''
    for ($attempt = 1; $attempt -le 6; $attempt++) {
        $status = Get-TentacleServiceStatus
        if ($status -eq 'Running') {
            Write-Output ('The Tentacle service {0} is running.' -f $ServiceName)
            return
        }
        Start-Sleep -Seconds 5
    }
    if ($status -eq '') {
        $status = 'not installed'
    }
    throw ('The Tentacle service {0} is {1}, not running, so this Tentacle reaches no Octopus node. Read OctopusTentacle.txt in the Logs folder of the Tentacle''s home folder, start the service, and run this script again.' -f $ServiceName, $status)
}

# Everything this script prints is kept in a transcript. The script prints
# no secret, so none reaches the transcript.
$LogDir = [System.IO.Path]::Combine($env:ProgramData, 'octoha', 'logs')
$LogFile = [System.IO.Path]::Combine($LogDir, ('{0}-{1:yyyyMMdd-HHmmss}.log' -f $ScriptName, (Get-Date)))
$null = New-Item -ItemType 'Directory' -Path $LogDir -Force -WhatIf:$false
$null = Start-Transcript -LiteralPath $LogFile -Append -WhatIf:$false
try {
$TentacleExe = [System.IO.Path]::Combine($InstallDir, 'Tentacle.exe')
if (-not (Test-Path -LiteralPath $TentacleExe -PathType 'Leaf')) {
    throw ('Tentacle.exe is not in {0}. Install the Octopus Tentacle MSI on this machine first, or pass -InstallDir.' -f $InstallDir)
}

# create-instance is skipped when the instance exists. Tentacle's
# list-instances --format json prints [{"InstanceName": ...}] (OctopusTentacle
# ListInstancesCommand.cs, https://github.com/OctopusDeploy/OctopusTentacle;
# the flag is not in the Tentacle docs).
$ConfigFile = [System.IO.Path]::Combine($HomeDirectory, 'Tentacle', $Instance + '.config')
$existing = @(Get-InstanceName -Json ((Invoke-Tentacle -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
$instanceExists = $existing -contains $Instance
# An existing instance's certificate is the one it is registered with;
# a new one gets its certificate below, which Octopus cannot know yet.
$configurationText = ''
$configuration = $null
$tentacleThumbprint = ''
if ($instanceExists) {
    $configurationText = (Invoke-Tentacle -Command 'show-configuration' -Arguments @('--instance', $Instance)) -join "`n"
    $configuration = ConvertFrom-TentacleConfiguration -Configuration $configurationText
    $tentacleThumbprint = $configuration.Thumbprint
}

# Before anything changes, read the space's targets from the cluster's API,
# as OctopusDSC's cTentacleAgent does (/api/<space>/machines/all, matched by
# certificate thumbprint). register-with finds a target only by its name,
# refuses one that exists, and with --force overwrites it, whoever's it is:
# its certificate, environments, roles, tenants and tenant tags, and its
# tenanted participation, which goes back to untenanted (OctopusClients
# RegisterMachineOperation.cs).
$headers = @{ 'X-Octopus-ApiKey' = [System.Net.NetworkCredential]::new('', $ApiKey).Password }
# Windows PowerShell 5.1 offers only SSL 3 and TLS 1.0 by default; the
# balancer in front of the cluster requires TLS 1.2. (PowerShell 7's web
# cmdlets ignore this setting and already offer TLS 1.2.)
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$spaceId = Get-TargetSpaceId
$registeredAs = @()
foreach ($target in (Invoke-OctopusApi -Path ('/api/{0}/machines/all' -f [System.Uri]::EscapeDataString($spaceId)))) {
    $listedName = [string] (Get-ApiField -Resource $target -Name 'Name')
    $targetThumbprint = Get-TargetThumbprint -Target $target
    $ours = $tentacleThumbprint -ne '' -and [string]::Equals($targetThumbprint, $tentacleThumbprint, [System.StringComparison]::OrdinalIgnoreCase)
    if ($ours) {
        $registeredAs += $listedName
    }
    elseif ([string]::Equals($listedName.Trim(), $Name.Trim(), [System.StringComparison]::OrdinalIgnoreCase)) {
        $mine = 'this Tentacle has no certificate yet'
        if ($tentacleThumbprint -ne '') {
            $mine = 'this Tentacle''s is ' + $tentacleThumbprint
        }
        throw ('Octopus already has a target named {0}, registered with the certificate {1} ({2}): it belongs to another machine. Nothing was changed. If it is this machine before a rebuild, delete that target in Octopus (Infrastructure > Deployment Targets) and run this script again; otherwise pass -Name with a name of its own.' -f $listedName, $targetThumbprint, $mine)
    }
}
$registered = $registeredAs.Count -gt 0
if ($registered -and $Reregister -and -not ($registeredAs -contains $Name.Trim())) {
    throw ('This Tentacle is registered in Octopus as {0}, not as {1}. Nothing was changed. To register it again under that name, run this script with -Name {0} -Reregister.' -f ($registeredAs -join ', '), $Name)
}
# register-with trusts the certificate the API reports, so a mistyped
# -ServerThumbprint would go unnoticed: check it against that one first.
$clusterThumbprint = Get-ClusterThumbprint
if (-not [string]::Equals($clusterThumbprint, $ServerThumbprint, [System.StringComparison]::OrdinalIgnoreCase)) {
    throw ('-ServerThumbprint is {0}, but {1} reports its certificate as {2}. Nothing was changed. Read the thumbprint again on a node with show-thumbprint (Get-Help for this script shows the command); if it is {0}, then {1} is not that cluster.' -f $ServerThumbprint, $ServerUrl, $clusterThumbprint)
}

if ($instanceExists) {
    Write-Output ('Tentacle instance {0} already exists: already done.' -f $Instance)
}
elseif ($PSCmdlet.ShouldProcess($Instance, 'Create the Tentacle instance')) {
    Invoke-Tentacle -Command 'create-instance' -Arguments @('--instance', $Instance, '--config', $ConfigFile)
}

if ($PSCmdlet.ShouldProcess($Instance, 'Create the Tentacle certificate if it has none, and set its folders')) {
    Invoke-Tentacle -Command 'new-certificate' -Arguments @('--instance', $Instance, '--if-blank')
    Invoke-Tentacle -Command 'configure' -Arguments @('--instance', $Instance, '--home', $HomeDirectory, '--app', $ApplicationsDirectory)
}

$ListenPort = 10933
if ($PSCmdlet.ShouldProcess($Instance, 'Listen on port 10933')) {
    Invoke-Tentacle -Command 'configure' -Arguments @('--instance', $Instance, '--port', $ListenPort)
}
$firewallRule = 'octoha-tentacle-10933'
if ($null -ne (Get-NetFirewallRule -Name $firewallRule -ErrorAction 'Ignore')) {
    Write-Output 'Firewall rule for port 10933: already done.'
}
elseif ($PSCmdlet.ShouldProcess($firewallRule, 'Allow inbound TCP 10933')) {
    $null = New-NetFirewallRule -Name $firewallRule -DisplayName 'Octopus Deploy Tentacle (TCP 10933)' -Direction 'Inbound' -Protocol 'TCP' -LocalPort $ListenPort -Action 'Allow'
}
# --publicHostName: the name the nodes call this Tentacle by (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
$registerArguments = @('--instance', $Instance, '--server', $ServerUrl, '--name', $Name, '--comms-style', 'TentaclePassive', '--publicHostName', $PublicHostName)
if ($Space -ne '') {
    $registerArguments += @('--space', $Space)
}
foreach ($environment in $Environments) {
    $registerArguments += @('--environment', $environment)
}
foreach ($role in $Roles) {
    $registerArguments += @('--role', $role)
}
$targetName = $Name
if ($registered -and -not $Reregister) {
    $targetName = $registeredAs[0]
    Write-Output ('This Tentacle is already registered in Octopus as {0}: left as it is, with the environments, roles and tenants it has there. Run this script with -Reregister to register it again with this script''s environments and roles.' -f ($registeredAs -join ', '))
    # Its first run's register-with trusted the cluster's certificate; a
    # Tentacle that lost that trust (configure --reset-trust) gets it again.
    if (@($configuration.TrustedServers | Where-Object { $_.Address -eq '' -and $_.Thumbprint -eq $clusterThumbprint }).Count -gt 0) {
        Write-Output ('This Tentacle trusts the cluster certificate {0}: already done.' -f $clusterThumbprint)
    }
    elseif ($PSCmdlet.ShouldProcess($Instance, ('Trust the cluster certificate {0}' -f $clusterThumbprint))) {
        Invoke-Tentacle -Command 'configure' -Arguments @('--instance', $Instance, '--trust', $clusterThumbprint)
    }
}
else {
    if ($registered) {
        # -Reregister: overwrite this Tentacle's own target, on purpose.
        $registerArguments += @('--force')
    }
    if ($PSCmdlet.ShouldProcess($ServerUrl, ('Register {0}' -f $Name))) {
        # --apiKey is taken only as an argument: it is visible to local
        # administrators while the command runs and in command-line audit logs
        # where those are enabled; Tentacle.exe documents no other way.
        Invoke-Tentacle -Command 'register-with' -Arguments ($registerArguments + @('--apiKey', [System.Net.NetworkCredential]::new('', $ApiKey).Password))
    }
}
if (-not $WhatIfPreference) {
    # Exactly one trust of the cluster: another listening trust is a server
    # this script did not set (or an earlier typo), named for the admin.
    $trusts = @((ConvertFrom-TentacleConfiguration -Configuration ((Invoke-Tentacle -Command 'show-configuration' -Arguments @('--instance', $Instance)) -join "`n")).TrustedServers | Where-Object { $_.Address -eq '' })
    if (@($trusts | Where-Object { $_.Thumbprint -eq $clusterThumbprint }).Count -eq 0) {
        throw ('This Tentacle does not trust the cluster certificate {0} after its registration. Run Tentacle.exe show-configuration --instance {1} to see what it trusts, then run this script again.' -f $clusterThumbprint, $Instance)
    }
    foreach ($trust in $trusts) {
        if ($trust.Thumbprint -ne $clusterThumbprint) {
            Write-Warning ('This Tentacle also trusts the certificate {0}, which is not this cluster''s. If no other Octopus Server you use has it (an earlier mistyped -ServerThumbprint), remove it: Tentacle.exe configure --instance {1} --remove-trust {0}' -f $trust.Thumbprint, $Instance)
        }
    }
}

# A new Tentacle is installed and started. An installed one restarts: it
# reads its trusted servers only on start (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line), and every run
# configures it again. service --restart leaves a stopped service stopped
# and exits 0 (OctopusTentacle WindowsServiceConfigurator.cs), so a stopped
# one is started instead, and its status then shows that it runs.
$status = Get-TentacleServiceStatus
if ($status -eq '') {
    if ($PSCmdlet.ShouldProcess($ServiceName, 'Install and start the Tentacle service')) {
        Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--install', '--start')
    }
}
elseif ($status -ne 'Running') {
    if ($PSCmdlet.ShouldProcess($ServiceName, ('Start the Tentacle service, which is {0}' -f $status))) {
        Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--start')
    }
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Restart the Tentacle service')) {
    Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--restart')
}
if (-not $WhatIfPreference) {
    Assert-TentacleRunning
}
Write-Outcome -Done ('Tentacle {0} is registered with {1}.' -f $targetName, $ServerUrl)
}
finally {
    $headers = $null
    # Under -WhatIf, Stop-Transcript (which takes -WhatIf from PowerShell 7.4
    # on; Windows PowerShell 5.1's has none) would only say what it would do,
    # and leave the transcript recording the rest of the session.
    $WhatIfPreference = $false
    $null = Stop-Transcript
}
