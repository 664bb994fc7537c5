// The namespaces every test file uses, imported once for the test project (and the module's Interop/Core sources it
// compiles).
global using System;
global using System.Collections.Generic;
global using System.IO;
global using System.Text;
global using System.Threading;
global using System.Threading.Tasks;
global using KestrunRust;
global using Xunit;
