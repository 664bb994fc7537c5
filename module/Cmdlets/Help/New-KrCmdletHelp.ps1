#Requires -Version 7.4
<#
.SYNOPSIS
    Generates the MAML help of the compiled cmdlets (lib/en-US/Kestrun.Rust.dll-Help.xml) from module/Cmdlets/Help.
.DESCRIPTION
    The help of a compiled cmdlet comes from a MAML file named after its assembly; PowerShell finds it in <culture>/
    beside the assembly (lib/en-US/Kestrun.Rust.dll-Help.xml, also when the module is imported from the repository
    root) and falls back to en-US for other cultures. This script writes that file from
      - the help data files module/Cmdlets/Help/<Verb-Noun>.psd1: Synopsis, Description, Outputs (optional),
        Parameters = @{ <Name> = text }, Examples = @( 'code', ... ). An example is its code, then (after a blank
        line) its remarks; or @{ Code = '...'; Remarks = '...' }. Text is wrapped freely: lines of a paragraph are
        joined, a blank line starts a new paragraph, so does a line starting with '-', '*' or '1.'.
      - the cmdlets of the built assembly, read by reflection: syntax per parameter set (the default set first),
        parameter types, required, position, pipeline input, aliases, wildcards, the values of ValidateSet, and
        default values (the properties of a new instance of the cmdlet class; for switches False), input types
        (the pipeline parameters).
    The assembly is loaded from its bytes into a collectible AssemblyLoadContext, so the calling process neither
    keeps the file open nor sees an older Kestrun.Rust.dll it may have loaded.
    The output starts with a comment holding the SHA-256 of the inputs (the assembly, the help data files and this
    script); when it matches, the file is up to date and nothing is done (build.ps1 calls this script every time).
    Fails when a cmdlet has no help data file, or its help data has no synopsis, description or example or leaves
    out a parameter.
.PARAMETER AssemblyPath
    The built Kestrun.Rust.dll.
.PARAMETER HelpPath
    The folder of the help data files (module/Cmdlets/Help).
.PARAMETER OutputPath
    The MAML file to write (lib/en-US/Kestrun.Rust.dll-Help.xml of the staged module).
.PARAMETER Force
    Write the file even when its inputs did not change.
.OUTPUTS
    System.String: 'generated' or 'up to date'.
.EXAMPLE
    pwsh ./module/Cmdlets/Help/New-KrCmdletHelp.ps1 -AssemblyPath out/Kestrun.Rust/lib/Kestrun.Rust.dll -HelpPath module/Cmdlets/Help -OutputPath out/Kestrun.Rust/lib/en-US/Kestrun.Rust.dll-Help.xml
#>
[CmdletBinding()]
[OutputType([string])]
param(
    [Parameter(Mandatory = $true)]
    [string]$AssemblyPath,

    [Parameter(Mandatory = $true)]
    [string]$HelpPath,

    [Parameter(Mandatory = $true)]
    [string]$OutputPath,

    [Parameter()]
    [switch]$Force
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$AssemblyPath = [System.IO.Path]::GetFullPath($AssemblyPath)
$HelpPath = [System.IO.Path]::GetFullPath($HelpPath)
$OutputPath = [System.IO.Path]::GetFullPath($OutputPath)

# ---- up to date? ------------------------------------------------------------------------------------------------
$assemblyBytes = [System.IO.File]::ReadAllBytes($AssemblyPath)
$helpFiles = @(Get-ChildItem -LiteralPath $HelpPath -Filter '*.psd1' -File | Sort-Object -Property Name)
$hasher = [System.Security.Cryptography.IncrementalHash]::CreateHash([System.Security.Cryptography.HashAlgorithmName]::SHA256)
try {
    $hasher.AppendData($assemblyBytes)
    foreach ($file in @($helpFiles) + @(Get-Item -LiteralPath $PSCommandPath)) {
        $hasher.AppendData([System.Text.Encoding]::UTF8.GetBytes("`n$($file.Name)`n"))
        $hasher.AppendData([System.IO.File]::ReadAllBytes($file.FullName))
    }
    $stamp = [System.Convert]::ToHexString($hasher.GetHashAndReset())
} finally {
    $hasher.Dispose()
}
$stampComment = " inputs-sha256: $stamp "
if (-not $Force.IsPresent -and (Test-Path -LiteralPath $OutputPath -PathType Leaf)) {
    $head = [System.IO.File]::ReadLines($OutputPath) | Select-Object -First 3
    if (@($head) -contains "<!--$stampComment-->") {
        return 'up to date'
    }
}

# ---- the cmdlets of the assembly ----------------------------------------------------------------------------------
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
$loadContext = [System.Runtime.Loader.AssemblyLoadContext]::new('KrCmdletHelp', $true)
try {
    $assembly = $loadContext.LoadFromStream([System.IO.MemoryStream]::new($assemblyBytes))
    $cmdlets = foreach ($type in $assembly.GetExportedTypes()) {
        $attribute = [System.Attribute]::GetCustomAttribute($type, [System.Management.Automation.CmdletAttribute])
        if ($null -ne $attribute -and -not $type.IsAbstract) {
            [pscustomobject]@{
                Name      = '{0}-{1}' -f $attribute.VerbName, $attribute.NounName
                Verb      = $attribute.VerbName
                Noun      = $attribute.NounName
                Type      = $type
                Info      = [System.Management.Automation.CmdletInfo]::new(('{0}-{1}' -f $attribute.VerbName, $attribute.NounName), $type)
                Instance  = $(try { [System.Activator]::CreateInstance($type) } catch { $null })
                Outputs   = @([System.Attribute]::GetCustomAttributes($type, [System.Management.Automation.OutputTypeAttribute]) | ForEach-Object { $_.Type } | ForEach-Object { $_.Name })
            }
        }
    }
    $cmdlets = @($cmdlets | Sort-Object -Property Name)

    # ---- text helpers -------------------------------------------------------------------------------------------
    function Split-KrParagraph([string]$Text) {
        # Paragraphs of help text: blank lines separate them, list items start new ones, other lines are joined.
        $paragraphs = [System.Collections.Generic.List[string]]::new()
        $current = [System.Collections.Generic.List[string]]::new()
        foreach ($line in ("$Text".Trim() -split '\r?\n')) {
            $trimmed = $line.Trim()
            if ($trimmed.Length -eq 0 -or $trimmed -match '^([-*]|\d+\.)\s') {
                if ($current.Count -gt 0) { $paragraphs.Add($current -join ' '); $current.Clear() }
            }
            if ($trimmed.Length -gt 0) { $current.Add($trimmed) }
        }
        if ($current.Count -gt 0) { $paragraphs.Add($current -join ' ') }
        , $paragraphs.ToArray()
    }

    function Get-KrTypeName([type]$Type) {
        # As Get-Help shows a parameter's value: the type's name (String, Int32, Object, String[]).
        if ($Type.IsGenericType) {
            return '{0}[{1}]' -f ($Type.Name -replace '`\d+$'), (($Type.GetGenericArguments() | ForEach-Object { Get-KrTypeName $_ }) -join ',')
        }
        $Type.Name
    }

    function Get-KrDefaultValue($Cmdlet, $Parameter) {
        if ($Parameter.SwitchParameter) { return 'False' }
        $property = $Cmdlet.Type.GetProperty($Parameter.Name)
        if ($null -eq $Cmdlet.Instance -or $null -eq $property -or -not $property.CanRead) { return 'None' }
        $value = $property.GetValue($Cmdlet.Instance)
        if ($null -eq $value) { return 'None' }
        if ($value -is [System.Collections.IEnumerable] -and $value -isnot [string]) {
            $items = @($value)
            if ($items.Count -eq 0) { return 'None' }
            return ($items | ForEach-Object { "$_" }) -join ', '
        }
        if ($value -is [System.ValueType] -and $value -eq [System.Activator]::CreateInstance($value.GetType())) {
            # 0 / false / the first enum value: the type's default, not a chosen one.
            return 'None'
        }
        "$value"
    }

    function Get-KrPipelineInput($SetMetadata) {
        $kinds = @()
        if ($SetMetadata.ValueFromPipeline) { $kinds += 'ByValue' }
        if ($SetMetadata.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
        if ($kinds.Count -eq 0) { return 'False' }
        'True ({0})' -f ($kinds -join ', ')
    }

    # ---- MAML ---------------------------------------------------------------------------------------------------
    $ns = @{
        msh     = 'http://msh'
        maml    = 'http://schemas.microsoft.com/maml/2004/10'
        command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
        dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    }
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $settings.NewLineChars = "`n"
    $buffer = [System.IO.MemoryStream]::new()
    $xml = [System.Xml.XmlWriter]::Create($buffer, $settings)

    function Write-KrParagraphs([string]$Element, [string]$Text, [string]$Prefix = 'maml') {
        # <maml:description> (or another element) holding one <maml:para> per paragraph.
        $xml.WriteStartElement($Prefix, $Element, $ns[$Prefix])
        $paragraphs = Split-KrParagraph $Text
        if ($paragraphs.Count -eq 0) { $paragraphs = @('') }
        foreach ($paragraph in $paragraphs) {
            $xml.WriteElementString('maml', 'para', $ns.maml, $paragraph)
        }
        $xml.WriteEndElement()
    }

    function Write-KrTypeElement([string]$Name) {
        $xml.WriteStartElement('dev', 'type', $ns.dev)
        $xml.WriteElementString('maml', 'name', $ns.maml, $Name)
        $xml.WriteElementString('maml', 'uri', $ns.maml, '')
        $xml.WriteEndElement()
    }

    function Write-KrParameter($Cmdlet, $Parameter, $SetMetadata, [string]$Description, [bool]$InSyntax) {
        $xml.WriteStartElement('command', 'parameter', $ns.command)
        $xml.WriteAttributeString('required', "$($SetMetadata.IsMandatory)".ToLowerInvariant())
        $xml.WriteAttributeString('variableLength', "$($Parameter.ParameterType.IsArray)".ToLowerInvariant())
        $wildcards = @($Cmdlet.Type.GetProperty($Parameter.Name).GetCustomAttributes([System.Management.Automation.SupportsWildcardsAttribute], $true)).Count -gt 0
        $xml.WriteAttributeString('globbing', "$wildcards".ToLowerInvariant())
        $xml.WriteAttributeString('pipelineInput', (Get-KrPipelineInput $SetMetadata))
        $xml.WriteAttributeString('position', $(if ($SetMetadata.Position -ge 0) { "$($SetMetadata.Position)" } else { 'named' }))
        $xml.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count -gt 0) { $Parameter.Aliases -join ', ' } else { 'none' }))
        $xml.WriteElementString('maml', 'name', $ns.maml, $Parameter.Name)
        Write-KrParagraphs 'description' $Description
        $validateSet = $Cmdlet.Type.GetProperty($Parameter.Name).GetCustomAttributes([System.Management.Automation.ValidateSetAttribute], $true) | Select-Object -First 1
        if ($InSyntax -and $null -ne $validateSet) {
            $xml.WriteStartElement('command', 'parameterValueGroup', $ns.command)
            foreach ($value in $validateSet.ValidValues) {
                $xml.WriteStartElement('command', 'parameterValue', $ns.command)
                $xml.WriteAttributeString('required', 'false')
                $xml.WriteAttributeString('variableLength', 'false')
                $xml.WriteString($value)
                $xml.WriteEndElement()
            }
            $xml.WriteEndElement()
        }
        if (-not $Parameter.SwitchParameter) {
            $xml.WriteStartElement('command', 'parameterValue', $ns.command)
            $xml.WriteAttributeString('required', 'true')
            $xml.WriteAttributeString('variableLength', "$($Parameter.ParameterType.IsArray)".ToLowerInvariant())
            $xml.WriteString((Get-KrTypeName $Parameter.ParameterType))
            $xml.WriteEndElement()
        }
        Write-KrTypeElement $Parameter.ParameterType.FullName
        $xml.WriteElementString('dev', 'defaultValue', $ns.dev, $(if ($SetMetadata.IsMandatory) { 'None' } else { Get-KrDefaultValue $Cmdlet $Parameter }))
        $xml.WriteEndElement()
    }

    $xml.WriteStartDocument()
    $xml.WriteComment($stampComment)
    $xml.WriteComment(' Generated by module/Cmdlets/Help/New-KrCmdletHelp.ps1 (build.ps1) from module/Cmdlets/Help/*.psd1 and Kestrun.Rust.dll; do not edit. ')
    $xml.WriteStartElement('helpItems', $ns.msh)
    $xml.WriteAttributeString('schema', 'maml')
    $problems = [System.Collections.Generic.List[string]]::new()
    foreach ($cmdlet in $cmdlets) {
        $dataFile = Join-Path -Path $HelpPath -ChildPath "$($cmdlet.Name).psd1"
        if (-not (Test-Path -LiteralPath $dataFile -PathType Leaf)) {
            $problems.Add("$($cmdlet.Name): no help data file $dataFile")
            continue
        }
        $data = Import-PowerShellDataFile -LiteralPath $dataFile
        $parameterHelp = if ($data.ContainsKey('Parameters') -and $null -ne $data.Parameters) { $data.Parameters } else { @{} }
        # The parameters in the order Get-Command shows them (the default set first, then the others' own ones).
        $sets = @($cmdlet.Info.ParameterSets | Sort-Object -Property { -not $_.IsDefault } -Stable)
        $parameters = @($sets | ForEach-Object { $_.Parameters } | ForEach-Object Name | Where-Object { $_ -notin $common } |
                Select-Object -Unique | ForEach-Object { $cmdlet.Info.Parameters[$_] })
        foreach ($key in 'Synopsis', 'Description') {
            if (-not $data.ContainsKey($key) -or [string]::IsNullOrWhiteSpace($data[$key])) { $problems.Add("$($cmdlet.Name): no $key in $dataFile") }
        }
        $examples = @(if ($data.ContainsKey('Examples')) { $data.Examples })
        if ($examples.Count -eq 0) { $problems.Add("$($cmdlet.Name): no example in $dataFile") }
        foreach ($parameter in $parameters) {
            if ([string]::IsNullOrWhiteSpace($parameterHelp[$parameter.Name])) { $problems.Add("$($cmdlet.Name): -$($parameter.Name) is not described in $dataFile") }
        }
        foreach ($name in $parameterHelp.Keys) {
            if ($name -notin $parameters.Name) { $problems.Add("$($cmdlet.Name): $dataFile describes -$name, which the cmdlet does not have") }
        }

        $xml.WriteStartElement('command', 'command', $ns.command)
        $xml.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
        $xml.WriteAttributeString('xmlns', 'command', $null, $ns.command)
        $xml.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)

        $xml.WriteStartElement('command', 'details', $ns.command)
        $xml.WriteElementString('command', 'name', $ns.command, $cmdlet.Name)
        Write-KrParagraphs 'description' $data['Synopsis']
        $xml.WriteElementString('command', 'verb', $ns.command, $cmdlet.Verb)
        $xml.WriteElementString('command', 'noun', $ns.command, $cmdlet.Noun)
        $xml.WriteEndElement()

        Write-KrParagraphs 'description' $data['Description']

        # Syntax: one item per parameter set, the default set first; parameters in the order Get-Command shows them.
        $xml.WriteStartElement('command', 'syntax', $ns.command)
        foreach ($set in $sets) {
            $xml.WriteStartElement('command', 'syntaxItem', $ns.command)
            $xml.WriteElementString('maml', 'name', $ns.maml, $cmdlet.Name)
            foreach ($setParameter in @($set.Parameters | Where-Object { $_.Name -notin $common })) {
                $parameter = $cmdlet.Info.Parameters[$setParameter.Name]
                Write-KrParameter $cmdlet $parameter $setParameter "$($parameterHelp[$parameter.Name])" $true
            }
            $xml.WriteEndElement()
        }
        $xml.WriteEndElement()

        # Parameters: each once, in declaration order, with what holds in its first parameter set.
        $xml.WriteStartElement('command', 'parameters', $ns.command)
        foreach ($parameter in $parameters) {
            $setMetadata = @($parameter.ParameterSets.Values)[0]
            $position = @($parameter.ParameterSets.Values | ForEach-Object Position | Where-Object { $_ -ge 0 } | Select-Object -First 1)
            $summary = [pscustomobject]@{
                IsMandatory                     = @($parameter.ParameterSets.Values | Where-Object IsMandatory).Count -eq $parameter.ParameterSets.Count
                Position                        = $(if ($position.Count -gt 0) { $position[0] } else { $setMetadata.Position })
                ValueFromPipeline               = @($parameter.ParameterSets.Values | Where-Object ValueFromPipeline).Count -gt 0
                ValueFromPipelineByPropertyName = @($parameter.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
            }
            Write-KrParameter $cmdlet $parameter $summary "$($parameterHelp[$parameter.Name])" $false
        }
        $xml.WriteEndElement()

        # Inputs: the types of the pipeline parameters.
        $inputs = @($parameters | Where-Object { @($_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName }).Count -gt 0 } |
                ForEach-Object { $_.ParameterType.FullName } | Select-Object -Unique)
        $xml.WriteStartElement('command', 'inputTypes', $ns.command)
        foreach ($inputType in $(if ($inputs.Count -gt 0) { $inputs } else { @('None') })) {
            $xml.WriteStartElement('command', 'inputType', $ns.command)
            Write-KrTypeElement $inputType
            Write-KrParagraphs 'description' ''
            $xml.WriteEndElement()
        }
        $xml.WriteEndElement()

        # Outputs: the help data's text, else the [OutputType] types, else None.
        $outputs = if ($data.ContainsKey('Outputs') -and -not [string]::IsNullOrWhiteSpace($data.Outputs)) { @("$($data.Outputs)".Trim()) }
        elseif ($cmdlet.Outputs.Count -gt 0) { $cmdlet.Outputs } else { @('None') }
        $xml.WriteStartElement('command', 'returnValues', $ns.command)
        foreach ($output in $outputs) {
            $xml.WriteStartElement('command', 'returnValue', $ns.command)
            Write-KrTypeElement $output
            Write-KrParagraphs 'description' ''
            $xml.WriteEndElement()
        }
        $xml.WriteEndElement()

        # Examples: the code (up to the first blank line), then the remarks.
        $xml.WriteStartElement('command', 'examples', $ns.command)
        $number = 0
        foreach ($example in $examples) {
            $number++
            if ($example -is [System.Collections.IDictionary]) {
                $code = "$($example['Code'])".Trim()
                $remarks = "$($example['Remarks'])".Trim()
            } else {
                $parts = "$example".Trim() -split '\r?\n[ \t]*\r?\n', 2
                $code = $parts[0].TrimEnd()
                $remarks = if ($parts.Count -gt 1) { $parts[1].Trim() } else { '' }
            }
            if ([string]::IsNullOrWhiteSpace($code)) { $problems.Add("$($cmdlet.Name): example $number has no code in $dataFile") }
            $xml.WriteStartElement('command', 'example', $ns.command)
            $xml.WriteElementString('maml', 'title', $ns.maml, "-------------------------- EXAMPLE $number --------------------------")
            $xml.WriteStartElement('maml', 'introduction', $ns.maml)
            $xml.WriteElementString('maml', 'para', $ns.maml, 'PS > ')
            $xml.WriteEndElement()
            $xml.WriteElementString('dev', 'code', $ns.dev, ($code -replace '\r\n', "`n"))
            Write-KrParagraphs 'remarks' $remarks 'dev'
            $xml.WriteEndElement()
        }
        $xml.WriteEndElement()

        $xml.WriteStartElement('command', 'relatedLinks', $ns.command)
        $xml.WriteEndElement()
        $xml.WriteEndElement()
    }
    $xml.WriteEndElement()
    $xml.WriteEndDocument()
    $xml.Flush()
    $xml.Dispose()
} finally {
    $loadContext.Unload()
}

if ($problems.Count -gt 0) {
    throw "The help of the compiled cmdlets is incomplete:$([System.Environment]::NewLine)  $($problems -join "$([System.Environment]::NewLine)  ")"
}

# Write under a temporary name, then rename over the old file.
$null = New-Item -ItemType Directory -Path (Split-Path -Path $OutputPath -Parent) -Force
$temporary = "$OutputPath.$PID.tmp"
[System.IO.File]::WriteAllBytes($temporary, $buffer.ToArray())
Move-Item -LiteralPath $temporary -Destination $OutputPath -Force
'generated'
