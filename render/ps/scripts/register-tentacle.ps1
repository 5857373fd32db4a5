#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Registers this machine's Tentacle with the Octopus Server HA cluster (octoha).
.DESCRIPTION
    Run this on each deployment target after installing the Tentacle MSI.
    It creates the Tentacle instance, makes its certificate, configures it
#region octoha:polling
    as a polling Tentacle (${octoha:PollingMode}) and registers it with the cluster
#region octoha:polling-mode-redis
    through the one polling address: with multi-node polling, Redis hands
    work to whichever node runs the task (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha/multi-node-polling-tentacles).
#endregion octoha:polling-mode-redis
#region octoha:!polling-mode-redis
    at the first node's comms address, then adds every other node with
    poll-server: each node queues work for a polling Tentacle in its own
    memory, so the Tentacle must poll every node (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha).
#endregion octoha:!polling-mode-redis
    Polling with --server-comms-address needs Tentacle 6.3.341 or later.
#endregion octoha:polling
#region octoha:!polling
    as a listening Tentacle on port ${octoha:ListenPort}, opens the firewall port and
    registers it with the cluster (https://octopus.com/docs/infrastructure/deployment-targets/tentacle/tentacle-communication), which makes it trust
    the cluster's certificate (OctopusTentacle RegisterMachineCommandBase.cs).
    Every node connects to it directly.
#endregion octoha:!polling

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
#region octoha:!polling
.PARAMETER ServerThumbprint
    The thumbprint of the Octopus Server certificate, the same on every
    node. Read it on any node with:
        ${octoha:ShowThumbprint}
    (show-thumbprint is listed in https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line; its output format is not
    described there, so read the thumbprint from what it prints.)
    register-with trusts the certificate the cluster's API reports; the
    script first checks that it is this one, and stops if it is not.
#endregion octoha:!polling
.PARAMETER Name
    The name the target gets in Octopus; the computer name by default.
#region octoha:!polling
.PARAMETER PublicHostName
    The name every Octopus node uses to reach this Tentacle
    (--publicHostName, https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line); this machine's DNS name by default.
    Every node must resolve it.
#endregion octoha:!polling
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
#region octoha:polling
    .\register-tentacle.ps1 -ApiKey $key
#endregion octoha:polling
#region octoha:!polling
    .\register-tentacle.ps1 -ApiKey $key -ServerThumbprint 0123456789ABCDEF0123456789ABCDEF01234567
#endregion octoha:!polling
.EXAMPLE
    .\register-tentacle.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [SecureString] $ApiKey,
#region octoha:!polling
    [Parameter(Mandatory)]
    [ValidatePattern('^[0-9A-Fa-f]{40}$')]
    [string] $ServerThumbprint,
#endregion octoha:!polling
    [string] $Name = $env:COMPUTERNAME,
#region octoha:!polling
    [string] $PublicHostName = [System.Net.Dns]::GetHostEntry('').HostName,
#endregion octoha:!polling
    [string[]] $Environments = ${octoha:Environments},
    [string[]] $Roles = ${octoha:Roles},
    [string] $Space = ${octoha:Space},
    [string] $InstallDir = 'C:\Program Files\Octopus Deploy\Tentacle',
    [string] $HomeDirectory = 'C:\Octopus',
    [string] $ApplicationsDirectory = 'C:\Octopus\Applications',
    [switch] $Reregister
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'register-tentacle'

# octoha:values

# octoha:common native-helpers

# octoha:common outcome

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
#region octoha:!polling

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
#endregion octoha:!polling

# octoha:common tentacle-configuration

# octoha:common tentacle-service
#region octoha:polling

function Get-CommsAddress {
    <#
    .SYNOPSIS
        The https://host:port address a polling Tentacle polls. The port is
        always given: without one Tentacle would use 443 (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $CommsHost,
        [Parameter(Mandatory)]
        [int] $CommsPort
    )
    'https://{0}:{1}' -f $CommsHost, $CommsPort
}

# octoha:common tentacle-test-polls-address
#region octoha:others

function Add-PollingServer {
    <#
    .SYNOPSIS
        Makes the Tentacle poll one more node (poll-server, https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)]
        [string] $CommsHost,
        [Parameter(Mandatory)]
        [int] $CommsPort
    )
    $address = Get-CommsAddress -CommsHost $CommsHost -CommsPort $CommsPort
    if ($PSCmdlet.ShouldProcess($address, 'Poll this node too')) {
        # --apiKey is taken only as an argument: it is visible to local
        # administrators while the command runs and in command-line audit
        # logs where those are enabled; Tentacle.exe documents no other way.
        Invoke-Tentacle -Command 'poll-server' -Arguments @('--instance', $Instance, '--server', $ServerUrl, '--server-comms-address', $address, '--apiKey', [System.Net.NetworkCredential]::new('', $ApiKey).Password)
        Assert-PollsAddress -Address $address
    }
}

# octoha:common tentacle-assert-polls-address
#endregion octoha:others
#endregion octoha:polling

# octoha:common transcript-start
try {
$TentacleExe = [System.IO.Path]::Combine($InstallDir, 'Tentacle.exe')
if (-not (Test-Path -LiteralPath $TentacleExe -PathType 'Leaf')) {
    throw ('Tentacle.exe is not in {0}. Install the Octopus Tentacle MSI on this machine first, or pass -InstallDir.' -f $InstallDir)
}
#region octoha:polling
# --server-comms-address appeared in Tentacle 6.3.341 (OctopusTentacle commit 479c7877,
# https://github.com/OctopusDeploy/OctopusTentacle).
$installedVersion = (Get-Item -LiteralPath $TentacleExe).VersionInfo.FileVersion
$parsedVersion = $null
if (-not [version]::TryParse("$installedVersion", [ref] $parsedVersion) -or $parsedVersion -lt [version] '6.3.341') {
    throw ('Tentacle.exe here is version {0}; polling a cluster needs --server-comms-address, which needs Tentacle 6.3.341 or later. Install a current Tentacle MSI and run this script again.' -f $installedVersion)
}
#endregion octoha:polling

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
#region octoha:polling
$FirstAddress = Get-CommsAddress -CommsHost ${octoha:FirstHost} -CommsPort ${octoha:FirstPort}
# A registration left alone keeps the first server its register-with set;
# without it poll-server has no subscription to copy (OctopusTentacle
# PollCommand.cs), and the target in Octopus polls nothing.
if ($registered -and -not $Reregister -and -not (Test-PollsAddress -Configuration $configurationText -Address $FirstAddress)) {
    throw ('This Tentacle is registered in Octopus as {0} but does not poll {1}, where that registration points. Nothing was changed. Run this script again with -Reregister.' -f ($registeredAs -join ', '), $FirstAddress)
}
#endregion octoha:polling
#region octoha:!polling
# register-with trusts the certificate the API reports, so a mistyped
# -ServerThumbprint would go unnoticed: check it against that one first.
$clusterThumbprint = Get-ClusterThumbprint
if (-not [string]::Equals($clusterThumbprint, $ServerThumbprint, [System.StringComparison]::OrdinalIgnoreCase)) {
    throw ('-ServerThumbprint is {0}, but {1} reports its certificate as {2}. Nothing was changed. Read the thumbprint again on a node with show-thumbprint (Get-Help for this script shows the command); if it is {0}, then {1} is not that cluster.' -f $ServerThumbprint, $ServerUrl, $clusterThumbprint)
}
#endregion octoha:!polling

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
#region octoha:polling

if ($PSCmdlet.ShouldProcess($Instance, 'Stop listening: this Tentacle polls')) {
    Invoke-Tentacle -Command 'configure' -Arguments @('--instance', $Instance, '--noListen', 'True')
}
$registerArguments = @('--instance', $Instance, '--server', $ServerUrl, '--name', $Name, '--comms-style', 'TentacleActive', '--server-comms-address', $FirstAddress)
#endregion octoha:polling
#region octoha:!polling

$ListenPort = ${octoha:ListenPort}
if ($PSCmdlet.ShouldProcess($Instance, 'Listen on port ${octoha:ListenPort}')) {
    Invoke-Tentacle -Command 'configure' -Arguments @('--instance', $Instance, '--port', $ListenPort)
}
$firewallRule = 'octoha-tentacle-${octoha:ListenPort}'
if ($null -ne (Get-NetFirewallRule -Name $firewallRule -ErrorAction 'Ignore')) {
    Write-Output 'Firewall rule for port ${octoha:ListenPort}: already done.'
}
elseif ($PSCmdlet.ShouldProcess($firewallRule, 'Allow inbound TCP ${octoha:ListenPort}')) {
    $null = New-NetFirewallRule -Name $firewallRule -DisplayName 'Octopus Deploy Tentacle (TCP ${octoha:ListenPort})' -Direction 'Inbound' -Protocol 'TCP' -LocalPort $ListenPort -Action 'Allow'
}
# --publicHostName: the name the nodes call this Tentacle by (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
$registerArguments = @('--instance', $Instance, '--server', $ServerUrl, '--name', $Name, '--comms-style', 'TentaclePassive', '--publicHostName', $PublicHostName)
#endregion octoha:!polling
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
#region octoha:!polling
    # Its first run's register-with trusted the cluster's certificate; a
    # Tentacle that lost that trust (configure --reset-trust) gets it again.
    if (@($configuration.TrustedServers | Where-Object { $_.Address -eq '' -and $_.Thumbprint -eq $clusterThumbprint }).Count -gt 0) {
        Write-Output ('This Tentacle trusts the cluster certificate {0}: already done.' -f $clusterThumbprint)
    }
    elseif ($PSCmdlet.ShouldProcess($Instance, ('Trust the cluster certificate {0}' -f $clusterThumbprint))) {
        Invoke-Tentacle -Command 'configure' -Arguments @('--instance', $Instance, '--trust', $clusterThumbprint)
    }
#endregion octoha:!polling
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
#region octoha:!polling
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
#endregion octoha:!polling
#region octoha:polling
#region octoha:polling-mode-redis

# No poll-server: with multi-node polling every node reaches this Tentacle's
# work through Redis, behind the one polling address (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha/multi-node-polling-tentacles).
#endregion octoha:polling-mode-redis
#region octoha:!polling-mode-redis

# Poll every other node as well (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha).
# octoha:lines Others
#endregion octoha:!polling-mode-redis
#endregion octoha:polling

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
    # octoha:common transcript-stop
}
