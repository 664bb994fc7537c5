// What a route writes to its error stream when KrRunspaceHost runs its script block directly (ScriptBlock.InvokeReturnAsIs,
// no PowerShell pipeline around it: the pipeline machinery costs about as much as the rest of a small route).
//
// Without a running pipeline PowerShell hands a command's non-terminating errors to the runspace's "external error
// output": the error stream of the pipeline made last on that runspace (a pipeline installs its stream when it is made
// and puts the previous one back when it has run). So each route runspace makes one pipeline of its own right after it
// opened, never runs it, and reads the errors of directly run routes from that pipeline's error stream; PowerShell
// instances run later on the runspace (routes with -Timeout) put it back when they end. The pipeline API is public in
// PowerShell 7 but not in the PowerShell Standard reference assemblies the module compiles against, hence the reflection.
// TryAttach checks that a Write-Error run directly does arrive; where it does not (another PowerShell version), the
// runspace runs its routes through PowerShell.Invoke, as before: slower, never wrong.
using System.Collections;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace KestrunRust
{
    /// <summary>The error stream of the directly run routes of one runspace.</summary>
    internal sealed class KrRouteErrors : IDisposable
    {
        private readonly IDisposable _pipeline;
        private readonly Func<int> _count;
        private readonly Func<object> _read;

        private KrRouteErrors(IDisposable pipeline, Func<int> count, Func<object> read)
        {
            _pipeline = pipeline;
            _count = count;
            _read = read;
        }

        /// <summary>Errors written and not read yet.</summary>
        public int Count => _count();

        /// <summary>Takes the errors written since the last call.</summary>
        public List<ErrorRecord> Take()
        {
            var records = new List<ErrorRecord>();
            if (_read() is IEnumerable items)
            {
                foreach (object item in items)
                {
                    object value = item is PSObject wrapped ? wrapped.BaseObject : item;
                    if (value is ErrorRecord record)
                    {
                        records.Add(record);
                    }
                    else if (value is Exception exception)
                    {
                        records.Add(new ErrorRecord(exception, "KrRouteError", ErrorCategory.NotSpecified, null));
                    }
                    else if (value != null)
                    {
                        records.Add(new ErrorRecord(new RuntimeException(Convert.ToString(value, CultureInfo.InvariantCulture)),
                            "KrRouteError", ErrorCategory.NotSpecified, null));
                    }
                }
            }
            return records;
        }

        public void Dispose()
        {
            try
            {
                _pipeline.Dispose();
            }
            catch (Exception)
            {
            }
        }

        /// <summary>Makes <paramref name="runspace"/> (open, owned by the calling thread, no pipeline running) keep the
        /// errors of script blocks run directly, and checks that it does. Null when that is not possible here.</summary>
        public static KrRouteErrors TryAttach(Runspace runspace, out string why)
        {
            why = null;
            IDisposable pipeline = null;
            try
            {
                MethodInfo create = runspace.GetType().GetMethod("CreatePipeline", BindingFlags.Instance | BindingFlags.Public, null, Type.EmptyTypes, null);
                pipeline = create?.Invoke(runspace, null) as IDisposable;
                object reader = pipeline?.GetType().GetProperty("Error", BindingFlags.Instance | BindingFlags.Public)?.GetValue(pipeline);
                MethodInfo countGetter = reader?.GetType().GetProperty("Count", BindingFlags.Instance | BindingFlags.Public)?.GetGetMethod();
                MethodInfo read = reader?.GetType().GetMethod("NonBlockingRead", BindingFlags.Instance | BindingFlags.Public, null, Type.EmptyTypes, null);
                if (countGetter == null || read == null || countGetter.ReturnType != typeof(int))
                {
                    why = "this PowerShell has no pipeline error stream to read";
                    pipeline?.Dispose();
                    return null;
                }
                var errors = new KrRouteErrors(pipeline,
                    (Func<int>)Delegate.CreateDelegate(typeof(Func<int>), reader, countGetter),
                    () => read.Invoke(reader, null));

                // The check: an error written by a script block run directly must arrive, once.
                Runspace previous = Runspace.DefaultRunspace;
                Runspace.DefaultRunspace = runspace;
                try
                {
                    ScriptBlock.Create("Write-Error -Message 'Kestrun.Rust probe' -ErrorId KrProbe -ErrorAction Continue; $global:Error.Clear()").InvokeReturnAsIs();
                }
                finally
                {
                    Runspace.DefaultRunspace = previous;
                }
                List<ErrorRecord> probe = errors.Take();
                if (probe.Count == 1 && probe[0].FullyQualifiedErrorId.StartsWith("KrProbe", StringComparison.Ordinal))
                {
                    return errors;
                }
                why = "a probe error did not arrive";
            }
            catch (Exception ex)
            {
                why = ex.GetBaseException().Message;
            }
            try
            {
                pipeline?.Dispose();
            }
            catch (Exception)
            {
            }
            return null;
        }
    }
}
