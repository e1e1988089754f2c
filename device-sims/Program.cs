// The rig runner comes with the device simulators (issue 3).
Console.Error.WriteLine("device-sims: no simulators yet");
return 2;
