using NackaInsights.Etl.Pipeline;

namespace NackaInsights.Etl.SharePoint;

/// <summary>The configured SharePoint site's sources through Microsoft Graph, for a command's or a job's run.</summary>
public sealed class GraphSources(GraphOptions graph, IEnumerable<IUploadReader> readers, ILoggerFactory loggers)
{
    /// <summary>
    /// The site's lists (when <paramref name="lists"/>) and its document libraries of <paramref name="libraryKinds"/>,
    /// leaving out a library whose setting is empty, all through one credential. The Graph clients are disposed with
    /// the result.
    /// </summary>
    /// <exception cref="ArgumentException">The settings are not usable, or no tenant is enabled.</exception>
    public JobSources Create(bool lists, params string[] libraryKinds)
    {
        var credential = GraphCredentials.Create(graph);
        var owned = new List<IDisposable>();
        try
        {
            GraphListSource? listSource = null;
            if (lists)
            {
                listSource = new GraphListSource(graph, credential, loggers.CreateLogger<GraphListSource>());
                owned.Add(listSource);
            }
            var libraries = new List<IUploadSource>();
            foreach (var kind in libraryKinds)
            {
                if (graph.LibraryFor(kind).Library.IsEnabled)
                {
                    var extensions = readers.First(r => r.Kind == kind).Extensions;
                    var library = new GraphLibrarySource(graph, kind, extensions, credential, loggers.CreateLogger<GraphLibrarySource>());
                    owned.Add(library);
                    libraries.Add(library);
                }
            }
            return new JobSources(new RunSources(libraries, listSource), owned);
        }
        catch
        {
            owned.ForEach(d => d.Dispose());
            throw;
        }
    }
}
