namespace Gateway.Market.Pricing;

/// <summary>Tarjan's strongly connected components, iterative (no recursion depth limit on large rounds).</summary>
internal static class StronglyConnectedComponents
{
    /// <summary>Component number of every node of the CSR graph (<paramref name="first"/>, <paramref name="target"/>), and how many there are.</summary>
    public static (int[] Component, int Count) Find(int nodeCount, int[] first, int[] target)
    {
        var index = new int[nodeCount];
        var low = new int[nodeCount];
        var component = new int[nodeCount];
        var onStack = new bool[nodeCount];
        var nextArc = new int[nodeCount];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var call = new Stack<int>();
        var counter = 0;
        var count = 0;
        for (var root = 0; root < nodeCount; root++)
        {
            if (index[root] >= 0) continue;
            call.Push(root);
            index[root] = low[root] = counter++;
            nextArc[root] = first[root];
            stack.Push(root);
            onStack[root] = true;
            while (call.Count > 0)
            {
                var u = call.Peek();
                if (nextArc[u] < first[u + 1])
                {
                    var v = target[nextArc[u]++];
                    if (index[v] < 0)
                    {
                        index[v] = low[v] = counter++;
                        nextArc[v] = first[v];
                        stack.Push(v);
                        onStack[v] = true;
                        call.Push(v);
                    }
                    else if (onStack[v])
                    {
                        low[u] = Math.Min(low[u], index[v]);
                    }

                    continue;
                }

                call.Pop();
                if (call.Count > 0) low[call.Peek()] = Math.Min(low[call.Peek()], low[u]);
                if (low[u] != index[u]) continue;
                int w;
                do
                {
                    w = stack.Pop();
                    onStack[w] = false;
                    component[w] = count;
                }
                while (w != u);
                count++;
            }
        }

        return (component, count);
    }
}
