#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
#region octoha:removing
    Stops this polling Tentacle polling node ${octoha:NodeName}, which left the Octopus Server HA cluster (octoha).
#endregion octoha:removing
#region octoha:!removing
    Makes this polling Tentacle poll node ${octoha:NodeName}, which joined the Octopus Server HA cluster (octoha).
#endregion octoha:!removing
.DESCRIPTION
    Run this on every existing polling Tentacle (${octoha:PollingMode}). Each node
    queues work for a polling Tentacle in its own memory, so a Tentacle must
    poll every node (https://octopus.com/docs/administration/high-availability/polling-tentacles-with-ha).
#region octoha:removing

    It drops the node's address with clear-trusted-servers --keep, which
    needs Tentacle ${octoha:MinimumVersion} or later (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line). clear-trusted-servers
    drops every server not in the list, so the list is every server the
    Tentacle trusts (show-configuration) but that node: the remaining nodes,
    and any other Octopus Server it polls, such as a second instance or a
    DR cluster, stay. Before clearing, this script checks that the Tentacle
    polls each remaining node; it stops if one is missing rather than leave
    the Tentacle without that node.

    On an older Tentacle: upgrade it (install a current Tentacle MSI), then
    run this script again. If it cannot be upgraded, run
    Tentacle.exe configure --instance <instance> --reset-trust, which forgets
    EVERY trusted server and subscription id, then register it again with
    the register-tentacle.ps1 written next to this script, run with
    -Reregister (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
#endregion octoha:removing
#region octoha:!removing

    It adds the new node's comms address with poll-server, which needs
    Tentacle ${octoha:MinimumVersion} or later for --server-comms-address (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
#endregion octoha:!removing
    A Tentacle reads its trusted servers only when it starts, so when the
    script changed them it then restarts the Tentacle service: run it when
    no deployment is using this machine. A stopped Tentacle service is
    started, and the script checks that the service runs before it ends.

    Safe to run twice: an address already in place is left alone, and the
    service is not restarted when nothing changed. If an earlier run
    stopped after changing the address but before the restart, run it
    again with -Restart. Run it with -WhatIf to see every step first.

#region octoha:removing
    The run is logged under $env:ProgramData\octoha\logs; this script
    handles no secret.
#endregion octoha:removing
#region octoha:!removing
    The run is logged under $env:ProgramData\octoha\logs. The script prints
    no secret, so the API key never reaches that transcript. But Tentacle.exe
    takes the API key only as a command-line argument: it is visible to
    local administrators while the command runs, and is recorded wherever
    command-line auditing is on (Security event 4688, Sysmon event 1,
    PowerShell module logging event 4103). Tentacle.exe documents no other
    way to pass it; a short-lived key limits the harm.
#endregion octoha:!removing
#region octoha:!removing
.PARAMETER ApiKey
    An Octopus API key (API-...) of a user allowed to register targets;
    poll-server reads the cluster's certificate through the API.
#endregion octoha:!removing
.PARAMETER InstallDir
    The folder Tentacle.exe is installed in.
.PARAMETER Restart
    Restart the Tentacle service even when this run changed nothing: for a
    run after one that changed the address but stopped before its restart.
#region octoha:removing
.PARAMETER SkipAddressCheck
    Clear without first checking that the Tentacle polls every remaining
    address. The check reads show-configuration, whose output format the
    Tentacle docs do not describe; use this only when you have checked the
    Tentacle's trusted servers yourself.
#endregion octoha:removing
.EXAMPLE
#region octoha:removing
    .\update-polling-tentacles.ps1
#endregion octoha:removing
#region octoha:!removing
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\update-polling-tentacles.ps1 -ApiKey $key
#endregion octoha:!removing
.EXAMPLE
    .\update-polling-tentacles.ps1 -WhatIf
    Shows every step without changing anything.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
#region octoha:!removing
    [Parameter(Mandatory)]
    [SecureString] $ApiKey,
#endregion octoha:!removing
    [string] $InstallDir = 'C:\Program Files\Octopus Deploy\Tentacle',
#region octoha:removing
    [switch] $SkipAddressCheck,
#endregion octoha:removing
    [switch] $Restart
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'update-polling-tentacles'

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

# octoha:common tentacle-configuration

# octoha:common tentacle-test-polls-address

# octoha:common tentacle-service
#region octoha:!removing

# octoha:common tentacle-assert-polls-address
#endregion octoha:!removing

# octoha:common transcript-start
try {
$TentacleExe = [System.IO.Path]::Combine($InstallDir, 'Tentacle.exe')
if (-not (Test-Path -LiteralPath $TentacleExe -PathType 'Leaf')) {
    throw ('Tentacle.exe is not in {0}. Run this on a machine with a polling Tentacle, or pass -InstallDir.' -f $InstallDir)
}
$installedVersion = (Get-Item -LiteralPath $TentacleExe).VersionInfo.FileVersion
$parsedVersion = $null
if (-not [version]::TryParse("$installedVersion", [ref] $parsedVersion) -or $parsedVersion -lt $MinimumVersion) {
#region octoha:removing
    throw ('Tentacle.exe here is version {0}; clear-trusted-servers needs Tentacle {1} or later. Install a current Tentacle MSI and run this script again. If you cannot upgrade: Tentacle.exe configure --instance {2} --reset-trust forgets every trusted server, then run register-tentacle.ps1 -Reregister from the same folder as this script to register with the remaining nodes.' -f $installedVersion, $MinimumVersion, $Instance)
#endregion octoha:removing
#region octoha:!removing
    throw ('Tentacle.exe here is version {0}; poll-server --server-comms-address needs Tentacle {1} or later. Install a current Tentacle MSI and run this script again.' -f $installedVersion, $MinimumVersion)
#endregion octoha:!removing
}

# This script changes a registered Tentacle; a new machine is registered
# with register-tentacle.ps1 instead.
$existing = @(Get-InstanceName -Json ((Invoke-Tentacle -Command 'list-instances' -Arguments @('--format', 'json')) -join "`n"))
if ($existing -notcontains $Instance) {
    throw ('There is no Tentacle instance {0} on this machine. Register new machines with register-tentacle.ps1.' -f $Instance)
}
if ((Get-TentacleServiceStatus) -eq '') {
    throw ('The Tentacle service {0} is not installed on this machine. Nothing was changed. Run register-tentacle.ps1 on this machine first.' -f $ServiceName)
}
$configuration = (Invoke-Tentacle -Command 'show-configuration' -Arguments @('--instance', $Instance)) -join "`n"
# Set when this run changes the trusted servers (under -WhatIf, when it
# would): only then (or with -Restart) the service restarts.
$changed = $false
#region octoha:removing

if (-not $SkipAddressCheck) {
    foreach ($address in $KeepAddresses) {
        if (-not (Test-PollsAddress -Configuration $configuration -Address $address)) {
            throw ('This Tentacle does not poll {0}, a node that stays in the cluster. clear-trusted-servers would leave it without that node: run register-tentacle.ps1 from the same folder as this script first (it polls every remaining node), then run this script again. If you have checked the trusted servers yourself, run it with -SkipAddressCheck.' -f $address)
        }
    }
}
# --keep takes addresses comma-separated and drops every other trusted
# server (https://github.com/OctopusDeploy/OctopusTentacle source/Octopus.Tentacle/Commands/ClearTrustedServersCommand.cs), so
# it gets the remaining nodes' addresses and every other address the
# Tentacle trusts but the leaving node's, as show-configuration lists them.
$leaving = ConvertTo-CommsAddress -Address $NodeAddress
$keep = @($KeepAddresses)
$kept = @(foreach ($address in $KeepAddresses) { ConvertTo-CommsAddress -Address $address })
$listening = @()
foreach ($server in (ConvertFrom-TentacleConfiguration -Configuration $configuration).TrustedServers) {
    if ($server.Address -eq '') {
        $listening += $server.Thumbprint
        continue
    }
    $normal = ConvertTo-CommsAddress -Address $server.Address
    if ($normal -ne $leaving -and $kept -notcontains $normal) {
        $keep += $server.Address
        $kept += $normal
    }
}
if (-not (Test-PollsAddress -Configuration $configuration -Address $NodeAddress)) {
    Write-Output ('This Tentacle does not poll {0} ({1}): already done. If an earlier run stopped before restarting the Tentacle, run this again with -Restart.' -f $NodeName, $NodeAddress)
}
elseif ($listening.Count -gt 0) {
    # ClearTrustedServersCommand reads every server's Address, and a
    # listening one has none: it would fail on it.
    throw ('This Tentacle also trusts a listening Octopus Server (certificate {0}), and clear-trusted-servers fails on one. Nothing was changed. If that certificate is not the cluster''s, remove that trust (Tentacle.exe configure --instance {1} --remove-trust {0}, which removes every trust of that certificate), run this script again, then trust it again with configure --trust; otherwise see this script''s help for --reset-trust.' -f ($listening -join ', '), $Instance)
}
else {
    $changed = $true
    if ($PSCmdlet.ShouldProcess($NodeAddress, ('Stop polling {0}; keep {1}' -f $NodeName, ($keep -join ', ')))) {
        Invoke-Tentacle -Command 'clear-trusted-servers' -Arguments @('--instance', $Instance, ('--keep=' + ($keep -join ',')))
    }
}
#endregion octoha:removing
#region octoha:!removing

if (Test-PollsAddress -Configuration $configuration -Address $NodeAddress) {
    Write-Output ('This Tentacle already polls {0} at {1}: already done. If an earlier run stopped before restarting the Tentacle, run this again with -Restart.' -f $NodeName, $NodeAddress)
}
else {
    $changed = $true
    if ($PSCmdlet.ShouldProcess($NodeAddress, ('Poll the new node {0}' -f $NodeName))) {
        # poll-server reuses the Tentacle's subscription id and the cluster's
        # one certificate (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line). --apiKey is taken only as an
        # argument: it is visible to local administrators while the command
        # runs and in command-line audit logs where those are enabled;
        # Tentacle.exe documents no other way.
        Invoke-Tentacle -Command 'poll-server' -Arguments @('--instance', $Instance, '--server', $ServerUrl, '--server-comms-address', $NodeAddress, '--apiKey', [System.Net.NetworkCredential]::new('', $ApiKey).Password)
        Assert-PollsAddress -Address $NodeAddress
    }
}
#endregion octoha:!removing

# A Tentacle reads its trusted servers only on start (https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line).
# service --restart leaves a stopped service stopped and exits 0
# (OctopusTentacle WindowsServiceConfigurator.cs), so a stopped one is
# started instead, and its status then shows that it runs.
$status = Get-TentacleServiceStatus
if ($status -ne 'Running') {
    if ($PSCmdlet.ShouldProcess($ServiceName, ('Start the Tentacle service, which is {0}' -f $status))) {
        Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--start')
    }
}
elseif (-not $changed -and -not $Restart) {
    Write-Output ('Nothing changed: the Tentacle service {0} is not restarted (run with -Restart to restart it anyway).' -f $ServiceName)
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Restart the Tentacle service')) {
    Invoke-Tentacle -Command 'service' -Arguments @('--instance', $Instance, '--restart')
}
if (-not $WhatIfPreference) {
    Assert-TentacleRunning
}
#region octoha:removing
Write-Outcome -Done ('This Tentacle no longer polls {0}.' -f $NodeName)
#endregion octoha:removing
#region octoha:!removing
Write-Outcome -Done ('This Tentacle polls {0} at {1}.' -f $NodeName, $NodeAddress)
#endregion octoha:!removing
}
finally {
    # octoha:common transcript-stop
}
