// The namespaces (almost) every source file of the module uses, imported once for the project. Interop/Core is also
// compiled by the C# tests (tests/csharp) without PowerShell: it must not use System.Management.Automation.
global using System;
global using System.Collections.Generic;
global using System.Globalization;
global using System.Management.Automation;
